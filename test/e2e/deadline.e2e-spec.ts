import { GatewayHarness, newSessionBody, nextTurn, testChannel } from '../support/gateway-harness.js';

// The demo bot's "slow" answer takes 1.8 s here, well past a 1 s reply deadline.
const bots = [{ id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us'], provider: { name: 'demo', timeoutMs: 5000, retries: 0, config: { slowMs: 1800 } } }];
const hold = testChannel('hold1', { replyDeadlineMs: 1000, deadlinePolicy: 'hold', holdMessage: 'Hold on, still working.', bots });
const handoff = testChannel('hand1', { replyDeadlineMs: 1000, deadlinePolicy: 'handoff', bots });

describe('reply deadline', () => {
  const gw = new GatewayHarness('deadline', [hold, handoff]);

  beforeAll(async () => {
    await gw.startIngress();
    await gw.startWorker();
  });
  afterAll(() => gw.stop());

  it('answers a slow turn in time with the hold message, and delivers the late reply first in the next response', async () => {
    const body = newSessionBody('hi');
    await gw.turn(hold, body);
    const slow = await gw.turn(hold, nextTurn(body, 'slow'));
    expect(slow.status).toBe(200);
    expect(slow.ms).toBeLessThan(1300);
    expect(slow.body).toEqual({ botState: 'MoreData', replyMessages: [{ type: 'Text', text: 'Hold on, still working.' }] });

    // Let the bot finish, then the customer writes again.
    await new Promise((r) => setTimeout(r, 1200));
    const next = await gw.turn(hold, nextTurn(body, 'list'));
    expect(next.body.botState).toBe('MoreData');
    expect(next.body.replyMessages[0].text).toBe('Sorry for the wait: that took a while to look up.');
    expect(next.body.replyMessages[1].text).toContain('Opening hours');

    const t = await gw.admin(`/api/conversations/${body.botSessionId}?channelId=${hold.id}`);
    expect(t.body.turns.map((x: any) => [x.seq, x.late, x.deliveredLate])).toEqual([
      [1, false, 0],
      [2, true, 0],
      [3, false, 1],
    ]);
  });

  it('a late reply is also delivered when the next turn arrives before the bot is done', async () => {
    const body = newSessionBody('slow');
    const slow = await gw.turn(hold, body);
    expect(slow.body.replyMessages[0].text).toBe('Hold on, still working.');
    const next = await gw.turn(hold, nextTurn(body, 'list'));
    expect(next.body.replyMessages.map((m: any) => m.text)).toEqual(['Sorry for the wait: that took a while to look up.', expect.stringContaining('Opening hours')]);
  });

  it('a redelivery of a held turn gets the hold answer again, and the late reply is delivered once', async () => {
    const body = newSessionBody('slow', { messageId: 'msg-held-1' });
    const first = await gw.turn(hold, body);
    expect(first.body.replyMessages[0].text).toBe('Hold on, still working.');
    await new Promise((r) => setTimeout(r, 1200));
    const again = await gw.turn(hold, body);
    expect(again.body).toEqual(first.body);
    const next = await gw.turn(hold, nextTurn(body, 'list', { messageId: 'msg-held-2' }));
    const texts = next.body.replyMessages.map((m: any) => m.text);
    expect(texts.filter((t: string) => t.startsWith('Sorry for the wait'))).toHaveLength(1);
  });

  it('with the handoff policy, a deadline miss hands the customer to an agent in time', async () => {
    const body = newSessionBody('slow');
    const res = await gw.turn(handoff, body);
    expect(res.ms).toBeLessThan(1300);
    expect(res.body).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffReason: 'deadline', lastUtterance: 'slow' } });
    const metrics = await (await fetch(`${gw.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/gbg_deadline_misses_total\{[^}]*channel="hand1"[^}]*policy="handoff"[^}]*\} 1/);
  });
});
