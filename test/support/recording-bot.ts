import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BotCall {
  at: number;
  turnId: string;
  idempotencyKey?: string;
  sessionId: string;
  seq: number;
  text: string;
  payload?: string;
  turnIndex: number;
  botKey?: string;
}

/**
 * A bot backend for the `http` provider that records every call. Behaviour by the customer's
 * text: `sleep:<ms> ...` delays, `fail` answers 503, `bad` answers an invalid result,
 * `handoff` asks for an agent, `bye` ends, `nomatch` is a fallback; anything else is echoed.
 */
export class RecordingBot {
  readonly calls: BotCall[] = [];
  private server?: http.Server;
  /** Extra latency for every call. */
  delayMs = 0;

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void this.handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/turn`;
  }

  private async handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): Promise<void> {
    const turn = JSON.parse(body);
    const text: string = turn.input?.text ?? '';
    this.calls.push({
      at: Date.now(),
      turnId: turn.turnId,
      idempotencyKey: req.headers['idempotency-key'] as string | undefined,
      sessionId: turn.session?.id,
      seq: turn.seq,
      text,
      payload: turn.input?.payload,
      turnIndex: turn.session?.turnIndex,
      botKey: req.headers['x-bot-key'] as string | undefined,
    });
    const sleep = /^sleep:(\d+)/.exec(text);
    const wait = (sleep ? Number(sleep[1]) : 0) + this.delayMs;
    if (wait) await new Promise((r) => setTimeout(r, wait));
    const send = (status: number, obj: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    if (text === 'fail') return send(503, { error: 'down' });
    if (text === 'bad') return send(200, { messages: [{ type: 'hologram' }] });
    if (text === 'handoff') return send(200, { messages: [{ type: 'text', text: 'Let me get someone.' }], handoff: { queue: 'Billing', reason: 'billing question' } });
    if (text === 'bye') return send(200, { messages: [{ type: 'text', text: 'Bye!' }], end: {} });
    if (text === 'nomatch') return send(200, { messages: [{ type: 'text', text: 'Sorry?' }], fallback: true });
    send(200, {
      messages: [{ type: 'text', text: `echo: ${text}` }],
      intent: 'Echo',
      parameters: { lastSeq: turn.seq, vip: true },
      state: { n: (turn.session?.state?.n ?? 0) + 1 },
    });
  }

  callsFor(sessionId: string): BotCall[] {
    return this.calls.filter((c) => c.sessionId === sessionId);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
