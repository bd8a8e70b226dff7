import type { CanonicalTurn } from '../../libs/bot-providers/src/canonical.types.js';

/** A canonical turn as the worker hands it to a provider: text "hello" in en-us, a fresh session, a gold customer. */
export function canonicalTurn(over: { sessionId?: string; text?: string; turnIndex?: number; language?: string; input?: Partial<CanonicalTurn['input']>; parameters?: Record<string, string> } = {}): CanonicalTurn {
  return {
    turnId: `t-${Math.random().toString(36).slice(2)}`,
    channelId: 'c1',
    bot: { id: 'bot1', name: 'Bot', version: '1.0' },
    session: { id: over.sessionId ?? crypto.randomUUID(), turnIndex: over.turnIndex ?? 1, state: {}, parameters: over.parameters ?? { customerTier: 'gold' } },
    language: over.language ?? 'en-us',
    input: { kind: 'text', text: over.text ?? 'hello', attachments: [], ...over.input },
    seq: 1,
  };
}

/** The error a promise rejects with; a promise that resolves fails the test. */
export const failure = async (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: Error) => e);
