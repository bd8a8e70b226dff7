import { FakeBackend, type FakeReply, type RecordedRequest } from './fake-backend.js';

export interface RasaRequest {
  sender: string;
  message: string;
  metadata?: { genesys?: { conversationId?: string; language?: string; parameters?: Record<string, string> } };
}

type Script = unknown[] | ((req: RasaRequest) => unknown[] | FakeReply);

/**
 * A Rasa server with the REST channel enabled (bot-backends §3) behind a proxy that checks a token,
 * either as `Authorization: Bearer <token>` or as `?token=<token>` on the URL (the REST channel has no
 * auth of its own). `POST /webhooks/rest/webhook` answers the scripted utterance array for the
 * message (anything unscripted is echoed); `GET /` greets like Rasa's server does.
 */
export class RasaFake extends FakeBackend {
  token = 'rasa-proxy-token-7c2e9b4a1d6f';
  version = '3.6.20';
  private refused = false;
  private readonly scripts = new Map<string, Script>();

  refuseCredentials(): void {
    this.refused = true;
  }

  /** What the bot answers to `message` (a click's payload arrives as the message). */
  answer(message: string, script: Script): this {
    this.scripts.set(message, script);
    return this;
  }

  /** The webhook calls received, parsed. */
  get messages(): RasaRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path.split('?')[0] === '/webhooks/rest/webhook').map((r) => r.body as RasaRequest);
  }

  private authorized(req: RecordedRequest): boolean {
    if (this.refused) return false;
    const query = new URL(req.path, 'http://fake').searchParams.get('token');
    return req.headers.authorization === `Bearer ${this.token}` || query === this.token;
  }

  protected route(req: RecordedRequest): FakeReply | undefined {
    const path = req.path.split('?')[0];
    // The proxy answers before Rasa sees anything.
    if (!this.authorized(req)) return { status: 401, body: '<html><body><h1>401 Unauthorized</h1></body></html>', headers: { 'content-type': 'text/html' } };
    if (req.method === 'GET' && path === '/') return { body: `Hello from Rasa: ${this.version}`, headers: { 'content-type': 'text/plain; charset=utf-8' } };
    if (path !== '/webhooks/rest/webhook') return { status: 404, body: { version: this.version, status: 'failure', message: 'Requested URL not found', reason: 'NotFound', code: 404 } };
    if (req.method !== 'POST') return { status: 405, body: { version: this.version, status: 'failure', message: 'Method not allowed', reason: 'MethodNotAllowed', code: 405 } };
    const body = req.body as RasaRequest;
    if (!body || typeof body !== 'object' || typeof body.sender !== 'string' || typeof body.message !== 'string') {
      return { status: 400, body: { version: this.version, status: 'failure', message: 'The request body must contain sender and message.', reason: 'BadRequest', code: 400 } };
    }
    const script = this.scripts.get(body.message);
    const reply = typeof script === 'function' ? script(body) : script ?? [{ recipient_id: body.sender, text: `echo: ${body.message}` }];
    return Array.isArray(reply) ? { body: reply } : reply;
  }
}
