import 'reflect-metadata';
import { parseChannel } from './channel.schema.js';
import { buildHandoffResponse, handoffParameters } from './handoff-response.js';

const channel = (privacy?: Record<string, unknown>) =>
  parseChannel({
    id: 'shop',
    genesys: { environment: 'mypurecloud.com' },
    bots: [{ id: 'b', name: 'B', versions: ['1'], languages: ['en-us'], provider: { name: 'demo' } }],
    ...(privacy ? { privacy } : {}),
  });

const details = {
  reason: 'bot_request',
  detail: 'customer gave card 4111 1111 1111 1111',
  summary: 'Customer: my email is jane@example.com\nBot: thanks\nCustomer: call me on 020 7946 0958',
  lastUtterance: 'call me on 020 7946 0958',
  language: 'en-us',
};

describe('handoffParameters', () => {
  it('redacts what the agent reads, and keeps what the flow routes on', () => {
    expect(handoffParameters(channel(), details)).toEqual({
      handoffReason: 'bot_request',
      handoffQueue: '',
      handoffSummary: 'Customer: my email is [email]\nBot: thanks\nCustomer: call me on [phone]',
      lastUtterance: 'call me on [phone]',
      language: 'en-us',
      handoffDetail: 'customer gave card [card ••••1111]',
    });
  });

  it('follows the channel policy: off, or fields left alone, or its own patterns', () => {
    expect(handoffParameters(channel({ redact: false }), details)).toMatchObject({ lastUtterance: details.lastUtterance, handoffSummary: details.summary });
    const some = handoffParameters(channel({ leaveAlone: ['handoff.lastUtterance'], patterns: [{ name: 'ticket', regex: 'thanks' }] }), details);
    expect(some.lastUtterance).toBe(details.lastUtterance);
    expect(some.handoffSummary).toBe('Customer: my email is [email]\nBot: [ticket]\nCustomer: call me on [phone]');
  });

  it('redacts the parameters of the handoff response but not the farewell the customer gets', () => {
    const ch = channel();
    ch.handoff.farewell = { default: 'We will call you on 020 7946 0958.' };
    const res = buildHandoffResponse(ch, details, [{ type: 'Text', text: 'your card 4111 1111 1111 1111 is blocked' }]);
    expect(res.replyMessages.map((m) => m.text)).toEqual(['your card 4111 1111 1111 1111 is blocked', 'We will call you on 020 7946 0958.']);
    expect(res.parameters!.lastUtterance).toBe('call me on [phone]');
  });
});
