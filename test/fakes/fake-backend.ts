import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, as received. */
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON when the body was JSON, else the raw text. */
  body: unknown;
  /** The body exactly as received (signature checks hash these bytes). */
  raw?: string;
  /** Milliseconds the fake itself spent on the request (its own "backend latency"), excluding scripted delays. */
  handledMs?: number;
  at: number;
}

/** A scripted misbehaviour for the next request(s), whatever the route. */
export type Fault =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'delay'; ms: number }
  | { kind: 'malformed' }
  | { kind: 'oversized' }
  | { kind: 'reset' };

export interface FakeReply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

/**
 * Base of the local fakes of bot backends: a real HTTP server on loopback that records every
 * request and lets a test script faults (a status, a delay past the caller's timeout, a body that
 * is not JSON, one over 1 MiB, a reset connection) ahead of the backend's own behaviour, which a
 * subclass implements in `route()` speaking the backend's exact wire format.
 */
export abstract class FakeBackend {
  readonly requests: RecordedRequest[] = [];
  private readonly faults: Fault[] = [];
  private server?: http.Server;
  private readonly sockets = new Set<import('node:net').Socket>();
  /** Set by start(): `http://127.0.0.1:<port>`. */
  origin = '';

  /** The backend's behaviour for one request; `undefined` → 404. */
  protected abstract route(req: RecordedRequest): Promise<FakeReply | undefined> | FakeReply | undefined;

  /** Scripts faults for the next requests, in order (each consumes one request). */
  fail(...faults: Fault[]): this {
    this.faults.push(...faults);
    return this;
  }

  /** Scripts the same fault for every request until cleared. */
  failAlways(fault: Fault | undefined): this {
    this.always = fault;
    return this;
  }
  private always?: Fault;

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void this.handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private async handle(req: http.IncomingMessage, text: string, res: http.ServerResponse): Promise<void> {
    let body: unknown = text;
    if ((req.headers['content-type'] ?? '').includes('json')) {
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
    }
    const started = performance.now();
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body, raw: text, at: Date.now() };
    this.requests.push(recorded);
    const fault = this.faults.shift() ?? this.always;
    if (fault) {
      switch (fault.kind) {
        case 'delay':
          await new Promise((r) => setTimeout(r, fault.ms).unref());
          if (req.socket.destroyed) return;
          break;
        case 'reset':
          req.socket.destroy();
          return;
        case 'malformed':
          return this.send(res, { status: 200, body: '{"this is": not json', headers: { 'content-type': 'application/json' } });
        case 'oversized':
          return this.send(res, { status: 200, body: JSON.stringify({ padding: 'x'.repeat(1024 * 1024 + 10) }), headers: { 'content-type': 'application/json' } });
        case 'status':
          return this.send(res, { status: fault.status, body: fault.body ?? { error: 'scripted' }, headers: fault.headers });
      }
    }
    let reply: FakeReply | undefined;
    try {
      reply = await this.route(recorded);
    } catch (e) {
      reply = { status: 500, body: { error: (e as Error).message } };
    }
    recorded.handledMs = performance.now() - started;
    if (reply?.delayMs) await new Promise((r) => setTimeout(r, reply!.delayMs).unref());
    this.send(res, reply ?? { status: 404, body: { error: 'not found' } });
  }

  private send(res: http.ServerResponse, reply: FakeReply): void {
    if (res.destroyed) return;
    const payload = typeof reply.body === 'string' ? reply.body : reply.body === undefined ? '' : JSON.stringify(reply.body);
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
    res.end(payload);
  }
}
