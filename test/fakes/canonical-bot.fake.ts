import { FakeBackend, type FakeReply, type RecordedRequest } from './fake-backend.js';

/** A backend for the `http` provider: answers canonical BotResults, checks a bearer key. */
export class CanonicalBotFake extends FakeBackend {
  apiKey = 'canonical-key-3d9f8a7b6c5d4e3f';
  private refused = false;

  refuseCredentials(): void {
    this.refused = true;
  }

  protected route(req: RecordedRequest): FakeReply | undefined {
    if (req.method !== 'POST' || req.path !== '/turn') return undefined;
    if (this.refused || req.headers.authorization !== `Bearer ${this.apiKey}`) return { status: 401, body: { error: 'bad key' } };
    const turn = req.body as { input?: { text?: string } };
    return { body: { messages: [{ type: 'text', text: `echo: ${turn.input?.text ?? ''}` }] } };
  }
}
