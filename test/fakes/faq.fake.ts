import { FakeBackend, type FakeReply, type RecordedRequest } from './fake-backend.js';

/** The FAQ service of the example provider (apps/example-gateway): a few answers, a bearer key. */
export class FaqFake extends FakeBackend {
  apiKey = 'faq-key-7f3e9a1c5b2d4e6f';
  private refused = false;

  refuseCredentials(): void {
    this.refused = true;
  }

  protected route(req: RecordedRequest): FakeReply | undefined {
    if (this.refused || req.headers.authorization !== `Bearer ${this.apiKey}`) return { status: 401, body: { error: 'unauthorized' } };
    if (req.method === 'GET' && req.path === '/health') return { body: { ok: true } };
    if (req.method !== 'POST' || req.path !== '/answer') return undefined;
    const question = String((req.body as { question?: unknown }).question ?? '').toLowerCase();
    if (question.includes('hours')) return { body: { answer: 'We are open 9 to 5.', suggestions: ['Weekend hours', 'Holidays'], confidence: 0.92 } };
    if (question.includes('agent')) return { body: { answer: 'Let me get someone for you.', escalate: true, confidence: 0.9 } };
    if (question.includes('weekend')) return { body: { answer: 'Closed on weekends.', confidence: 0.8 } };
    return { body: { answer: 'Maybe this helps: see our website.', confidence: 0.1 } };
  }
}
