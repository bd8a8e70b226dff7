import { randomUUID } from 'node:crypto';
import { newSessionBody, type GatewayHarness, type TestChannel } from './gateway-harness.js';
import type { RecordingBot } from './recording-bot.js';

/**
 * Scenarios every Redis topology must pass the same way (single node, Cluster): written once, so
 * the topology suites check the very behaviour the core suite does.
 */

/** Two concurrent deliveries and a later one of the same messageId: one bot call, one answer for all three. */
export async function expectRedeliveriesAnsweredOnce(gw: GatewayHarness, ch: TestChannel, bot: RecordingBot): Promise<void> {
  const body = newSessionBody('sleep:300 once', { messageId: randomUUID() });
  const [a, b] = await Promise.all([gw.turn(ch, body), gw.turn(ch, body)]);
  const c = await gw.turn(ch, body);
  expect(bot.callsFor(body.botSessionId as string)).toHaveLength(1);
  expect(b.body).toEqual(a.body);
  expect(c.body).toEqual(a.body);
  expect(a.body.replyMessages[0].text).toBe('echo: sleep:300 once');
}
