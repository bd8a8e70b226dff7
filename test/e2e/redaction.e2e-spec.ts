import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EmulatorApp } from '../../apps/genesys-emulator/src/main.js';
import { processOutput, testChannel, type GatewayHarness, type TestChannel } from '../support/gateway-harness.js';
import { botTexts, startProviderGateway, V2_FLOW as FLOW, waitForView, type ProviderGateway } from '../support/provider-gateway.js';
import { startSession } from '../support/provider-gateway.js';
import { RecordingBot } from '../support/recording-bot.js';

/**
 * PII redaction end to end: real ingress and worker processes, a bot that echoes what it gets,
 * and the Genesys emulator playing Architect (v2 flow, handoff) and the Platform API (participant
 * data). The customer's card, email and phone reach the bot and come back to the customer; the
 * transcript (admin API), the handoff parameters, the participant data and the processes' logs
 * hold none of them.
 */
const CARD = '4111 1111 1111 1111';
const EMAIL = 'jane.doe@example.com';
const PHONE = '+44 20 7946 0958';
const SAID = `my card is ${CARD}, mail ${EMAIL}, phone ${PHONE}`;
/** Digits only: a regrouped number is the same number. */
const SECRETS = [CARD.replace(/\D/g, ''), PHONE.replace(/\D/g, '')];

let pg: ProviderGateway;
let emu: EmulatorApp;
let gw: GatewayHarness;
let bot: RecordingBot;
let channel: TestChannel;
let v1: TestChannel;

beforeAll(async () => {
  bot = new RecordingBot();
  const botUrl = await bot.start();
  const bots = [{ id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us'], intents: [{ name: 'Echo' }], provider: { name: 'http', config: { url: botUrl }, timeoutMs: 8000, retries: 0 } }];
  // v1 with a short deadline that hands off: the ingress builds that handoff itself.
  v1 = testChannel('priv-v1', { bots, replyDeadlineMs: 1000, deadlinePolicy: 'handoff' });
  pg = await startProviderGateway({
    name: 'privacy',
    channelId: 'priv-v2',
    channel: { bots, handoff: { maxConsecutiveFallbacks: 2, defaultQueue: 'General', summaryTurns: 5 } },
    inlineWindowMs: 2000,
    extraChannels: [v1],
    // Every line the processes write, debug included, is checked for leaks.
    env: { LOG_LEVEL: 'debug' },
  });
  ({ gw, emu, channel } = pg);
}, 60_000);

afterAll(async () => {
  await pg?.stop();
  await bot?.stop();
});

/** No card, email or phone of the customer in `text` (digits compared without their grouping). */
function expectClean(text: string, where: string) {
  const digits = text.replace(/\D/g, '');
  for (const s of SECRETS) expect({ where, leaked: digits.includes(s) }).toEqual({ where, leaked: false });
  expect({ where, leaked: text.includes(EMAIL) }).toEqual({ where, leaked: false });
}

describe('PII redaction (gateway ↔ emulator over HTTP)', () => {
  it('the bot and the customer get the text; the transcript, handoff parameters, participant data and logs do not', async () => {
    const view = await emu.emulator.startConversation(FLOW, { text: SAID });
    // What the bot received and what the customer was sent: the text as written.
    expect(bot.callsFor(view.botSessionId).map((c) => c.text)).toEqual([SAID]);
    expect(botTexts(view)).toEqual([`echo: ${SAID}`]);

    // Asking for a human hands off without the bot; the request itself carries the phone again.
    await emu.emulator.sendCustomerMessage(view.id, { text: `talk to a human, call ${PHONE}` });
    const done = await waitForView(emu, view.id, (v) => v.state === 'agent' && Object.keys(v.participantAttributes).length > 0, 15_000);
    expect(done.parameters).toMatchObject({ handoffReason: 'customer_request', lastUtterance: 'talk to a human, call [phone]' });
    expect(done.parameters.handoffSummary).toBe(
      [
        'Customer: my card is [card ••••1111], mail [email], phone [phone]',
        'Bot: echo: my card is [card ••••1111], mail [email], phone [phone]',
        'Customer: talk to a human, call [phone]',
      ].join('\n'),
    );
    expect(done.participantAttributes).toMatchObject({ 'bot.summary': done.parameters.handoffSummary, 'bot.lastUtterance': 'talk to a human, call [phone]' });
    expectClean(JSON.stringify(done.parameters), 'handoff parameters');
    expectClean(JSON.stringify(done.participantAttributes), 'participant data');

    const transcript = await gw.admin(`/api/conversations/${view.botSessionId}?channelId=${channel.id}`);
    expect(transcript.status).toBe(200);
    expect(transcript.body.turns[0]).toMatchObject({ input: { text: 'my card is [card ••••1111], mail [email], phone [phone]' }, replies: [{ text: 'echo: my card is [card ••••1111], mail [email], phone [phone]' }] });
    expectClean(JSON.stringify(transcript.body), 'transcript');
  });

  it("the ingress's own deadline handoff (v1) redacts the last utterance it passes on", async () => {
    const text = `sleep:1800 ${SAID}`;
    const { body, res } = await startSession(gw, v1, text);
    expect(res.body).toMatchObject({ botState: 'Complete', intent: 'AgentHandoff', parameters: { handoffReason: 'deadline' } });
    expect(res.body.parameters.lastUtterance).toBe('sleep:1800 my card is [card ••••1111], mail [email], phone [phone]');
    expectClean(JSON.stringify(res.body.parameters), 'deadline handoff parameters');
    // The bot still got the whole text, and its late answer lands in the transcript redacted.
    await gw.waitFor(async () => bot.callsFor(body.botSessionId as string).length === 1, 5000);
    expect(bot.callsFor(body.botSessionId as string)[0]!.text).toBe(text);
    await gw.waitFor(async () => (await gw.admin(`/api/conversations/${body.botSessionId}?channelId=${v1.id}`)).body?.turns?.length === 1, 10_000);
    expectClean(JSON.stringify((await gw.admin(`/api/conversations/${body.botSessionId}?channelId=${v1.id}`)).body), 'v1 transcript');
  });

  it("the apps' logger redacts what a log call lets through (the built logger, in a process of its own)", () => {
    const logger = pathToFileURL(join(process.cwd(), 'dist/apps/worker/libs/observability/src/logger.js')).href;
    const script = `
      const { createRootLogger, PinoNestLogger } = await import(${JSON.stringify(logger)});
      const root = createRootLogger({ level: 'debug', app: 'leak-check' });
      new PinoNestLogger(root).warn({ channelId: 'c1', error: 'backend said: ${SAID}' }, 'customer wrote ${SAID}', 'Ctx');
      root.info(new Error('${SAID}').message);
      root.flush?.();`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ channelId: 'c1', context: 'Ctx', msg: 'customer wrote my card is [card ••••1111], mail [email], phone [phone]' });
    expect(lines[0].error).toBe('backend said: my card is [card ••••1111], mail [email], phone [phone]');
    expect(lines[1].msg).toBe('my card is [card ••••1111], mail [email], phone [phone]');
    expectClean(out, 'logger output');
  });

  it('the processes logged none of it', async () => {
    // Give the after-turn effects (participant data) time to log their lines.
    await new Promise((r) => setTimeout(r, 500));
    const out = processOutput(gw);
    expect(out).toMatch(/"level":"debug"/);
    expectClean(out, 'process output');
  });
});
