import { randomBytes } from 'node:crypto';
import { sessionKeyOf, type TurnEnvelope } from '@app/store';

let n = 0;

/**
 * A stored turn as the ingress would accept it, for store tests on real Redis: channel c1, bot b1,
 * a fresh turn id and text each call. `request` adds to or replaces request fields; `extra` the
 * envelope's own (protocol, deadlineAt, …).
 */
export function testEnvelope(session: string, extra: Partial<TurnEnvelope> = {}, request: Partial<TurnEnvelope['request']> = {}): TurnEnvelope {
  n++;
  return {
    seq: 0,
    turnId: `t${n}${randomBytes(3).toString('hex')}`,
    channelId: 'c1',
    botId: 'b1',
    sessionKey: sessionKeyOf('c1', session),
    acceptedAt: Date.now(),
    deadlineAt: Date.now() + 5000,
    ingressId: 'ing1',
    request: { botId: 'b1', botSessionId: session, inputMessage: { type: 'Text', text: `m${n}` }, botSessionTimeout: 30, ...request },
    ...extra,
  };
}
