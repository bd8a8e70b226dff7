import { randomBytes } from 'node:crypto';
import type { EmulatorApp } from '../../apps/genesys-emulator/src/main.js';
import { SpanNames } from '@app/observability';
import { TURNS_QUEUE } from '@app/queue';
import { newSessionBody, processOutput, type GatewayHarness, type TestChannel } from '../support/gateway-harness.js';
import { botTexts, DBC_SECRET, startProviderGateway, V2_FLOW, waitForView, type ProviderGateway } from '../support/provider-gateway.js';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { RecordingBot } from '../support/recording-bot.js';

/**
 * Traces across real processes: the ingress exports OTLP/HTTP protobuf and the worker OTLP/HTTP
 * JSON to a receiver written here, and a turn's spans from both join into one trace that
 * continues the caller's traceparent. No span carries what the customer or the bot said.
 */
let pg: ProviderGateway;
let emu: EmulatorApp;
let gw: GatewayHarness;
let channel: TestChannel;
let bot: RecordingBot;
const otlp = new OtlpReceiver();

// Wire values of OTLP's SpanKind.
const SERVER = 2;
const CLIENT = 3;
const CONSUMER = 5;

beforeAll(async () => {
  const endpoint = await otlp.start();
  bot = new RecordingBot();
  const botUrl = await bot.start();
  pg = await startProviderGateway({
    name: 'otel',
    channelId: 'otel1',
    channel: {
      replyDeadlineMs: 4000,
      bots: [{ id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us'], intents: [{ name: 'Echo' }], provider: { name: 'http', config: { url: botUrl }, timeoutMs: 5000, retries: 0 } }],
    },
    inlineWindowMs: 300,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' },
    // The ingress also records Redis commands (TRACE_REDIS_COMMANDS); the worker runs the default.
    ingressEnv: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', TRACE_REDIS_COMMANDS: 'true' },
    workerEnv: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'otel-e2e-worker' },
  });
  ({ gw, emu, channel } = pg);
}, 60_000);

afterAll(async () => {
  await pg?.stop();
  await bot?.stop();
  await otlp.stop();
});

beforeEach(() => {
  bot.delayMs = 0;
});

async function spansOf(traceId: string, check: (spans: ReceivedSpan[]) => boolean, timeoutMs = 10_000): Promise<ReceivedSpan[]> {
  await gw.waitFor(async () => check(otlp.trace(traceId)), timeoutMs).catch(() => undefined);
  return otlp.trace(traceId);
}

const one = (spans: ReceivedSpan[], name: string) => {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1) throw new Error(`expected one span "${name}", got ${found.length}: ${spans.map((s) => s.name).join(', ')}`);
  return found[0]!;
};

/** Everything a span shows a reader: name, attributes, status, events. */
const visible = (spans: ReceivedSpan[]) => JSON.stringify(spans.map((s) => ({ n: s.name, a: s.attributes, st: s.status, e: s.events })));

describe('OpenTelemetry traces (real processes, OTLP/HTTP receiver)', () => {
  it('joins a v1 turn into one trace from the caller through the ingress, the queue and the worker to the bot, and keeps the customer text out of it', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const correlationId = `corr-${randomBytes(6).toString('hex')}`;
    const secretText = `my card 4111 1111 1111 1111 and mail jane.doe.${randomBytes(3).toString('hex')}@example.com`;
    const res = await gw.turn(channel, newSessionBody(secretText), { headers: { traceparent: `00-${traceId}-${callerSpan}-01`, 'inin-correlation-id': correlationId } });
    expect(res.status).toBe(200);
    expect(res.body.replyMessages[0].text).toBe(`echo: ${secretText}`);

    const spans = await spansOf(traceId, (s) => s.some((x) => x.name === SpanNames.turn) && s.some((x) => x.name === SpanNames.complete), 15_000);
    const server = one(spans, 'POST /genesys/:channelId/botconnector');
    expect(server).toMatchObject({ kind: SERVER, parentSpanId: callerSpan, encoding: 'protobuf', service: 'genesys-bot-gateway-ingress' });
    expect(server.attributes).toMatchObject({ 'genesys.correlation_id': correlationId, 'gbg.channel.id': channel.id, 'gbg.turn.protocol': 'v1', 'gbg.turn.answered_by': 'worker', 'http.response.status_code': 200, 'url.path': `/genesys/${channel.id}/botconnector` });
    // With TRACE_REDIS_COMMANDS the ingress's Redis calls (the accept script) are children of its request span.
    expect(spans.some((s) => s.parentSpanId === server.spanId && s.kind === CLIENT && s.attributes['db.system.name'] === 'redis')).toBe(true);

    const turn = one(spans, SpanNames.turn);
    expect(turn).toMatchObject({ kind: CONSUMER, parentSpanId: server.spanId, encoding: 'json', service: 'otel-e2e-worker' });
    expect(turn.attributes).toMatchObject({ 'gbg.turn.id': server.attributes['gbg.turn.id'], 'gbg.turn.outcome': 'reply', 'genesys.correlation_id': correlationId });
    // The BullMQ job that ran it is named on the turn span (a job may run several turns of a session).
    expect(turn.attributes).toMatchObject({ 'messaging.system': 'bullmq', 'messaging.destination.name': TURNS_QUEUE });
    expect(turn.attributes['messaging.message.id']).toEqual(expect.any(String));

    const botCall = one(spans, SpanNames.botCall);
    expect(botCall).toMatchObject({ parentSpanId: turn.spanId, kind: CLIENT });
    expect(botCall.attributes).toMatchObject({ 'gbg.bot.provider': 'http', 'gbg.bot.attempt': 1 });
    expect(one(spans, SpanNames.render).parentSpanId).toBe(turn.spanId);
    expect(one(spans, SpanNames.complete).parentSpanId).toBe(turn.spanId);
    // The worker runs the default: no span per Redis command.
    expect(otlp.spans.filter((s) => s.service === 'otel-e2e-worker' && s.attributes['db.system.name'])).toEqual([]);

    // Not the customer's words, not the bot's, not the credentials.
    const shown = visible(otlp.spans);
    for (const secret of [secretText, '4111', 'jane.doe', 'echo:', channel.secret, gw.adminToken, DBC_SECRET]) expect(shown).not.toContain(secret);
    expect(processOutput(gw)).not.toMatch(/tracing.*(error|fail)/i);
  }, 30_000);

  it('continues a v2 turn into the outbox send and its Genesys API call when the bot misses the inline window', async () => {
    bot.delayMs = 800;
    const view = await emu.emulator.startConversation(V2_FLOW, { text: 'slow v2 words' });
    await waitForView(emu, view.id, (v) => botTexts(v, 'outgoing').length === 1, 15_000);
    const turnSpan = await (async () => {
      await gw.waitFor(async () => otlp.spans.some((s) => s.name === SpanNames.outboxSend && s.attributes['gbg.outbox.result'] === 'sent'), 10_000);
      return otlp.spans.find((s) => s.name === SpanNames.turn && s.attributes['gbg.turn.protocol'] === 'v2')!;
    })();
    expect(turnSpan).toBeDefined();
    const spans = await spansOf(turnSpan.traceId, (s) => s.some((x) => x.name === 'genesys.outgoing'));
    const server = one(spans, 'POST /genesys/:channelId/dbc/messages');
    expect(server.attributes).toMatchObject({ 'gbg.turn.protocol': 'v2', 'gbg.turn.answered_by': 'deferred' });
    expect(turnSpan.parentSpanId).toBe(server.spanId);
    const send = one(spans, SpanNames.outboxSend);
    expect(send.attributes).toMatchObject({ 'gbg.turn.id': turnSpan.attributes['gbg.turn.id'], 'gbg.outbox.result': 'sent' });
    const api = one(spans, 'genesys.outgoing');
    expect(api).toMatchObject({ kind: CLIENT, parentSpanId: send.spanId });
    expect(api.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.response.status_code': 200 });
    expect(visible(spans)).not.toContain('slow v2 words');
  }, 30_000);

  it('traces a session notification from the admin API request to its send', async () => {
    const view = await emu.emulator.startConversation(V2_FLOW, { text: 'hello there' });
    const res = await fetch(`${gw.baseUrl}/api/channels/${channel.id}/notifications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ idempotencyKey: `k-${randomBytes(4).toString('hex')}`, target: { botSessionId: view.botSessionId }, text: 'your parcel ships today' }),
    });
    expect(res.status).toBe(202);
    await gw.waitFor(async () => otlp.spans.some((s) => s.name === SpanNames.notificationSend), 10_000);
    const sendSpan = otlp.spans.find((s) => s.name === SpanNames.notificationSend)!;
    const spans = await spansOf(sendSpan.traceId, (s) => s.some((x) => x.name === 'genesys.outgoing'));
    const request = one(spans, 'POST /api/channels/:channelId/notifications');
    expect(request.kind).toBe(SERVER);
    expect(sendSpan.parentSpanId).toBe(request.spanId);
    expect(one(spans, SpanNames.outboxSend).parentSpanId).toBe(sendSpan.spanId);
    expect(visible(spans)).not.toContain('parcel');
  }, 30_000);

  it('records admin requests without their query string, and gives the OAuth callback, probes and metrics no span', async () => {
    const marker = randomBytes(6).toString('hex');
    await fetch(`${gw.baseUrl}/oauth/genesys/callback?code=CODE${marker}&state=s`);
    await fetch(`${gw.baseUrl}/health/ready`);
    const list = await fetch(`${gw.baseUrl}/api/conversations?channelId=${channel.id}&before=Q${marker}`, { headers: { authorization: `Bearer ${gw.adminToken}` } });
    expect(list.status).toBe(400);
    await gw.waitFor(async () => otlp.spans.some((s) => s.name === 'GET /api/conversations'), 10_000);
    const span = otlp.spans.find((s) => s.name === 'GET /api/conversations')!;
    expect(span.attributes).toMatchObject({ 'url.path': '/api/conversations', 'http.response.status_code': 400 });
    expect(visible(otlp.spans)).not.toContain(marker);
    expect(otlp.spans.some((s) => /health|oauth\/genesys/.test(s.name))).toBe(false);
  }, 30_000);

  it('sends every batch in the encoding each process was given, and the receiver took them all', () => {
    expect(new Set(otlp.spans.map((s) => `${s.service}:${s.encoding}`))).toEqual(new Set(['genesys-bot-gateway-ingress:protobuf', 'otel-e2e-worker:json']));
    expect(otlp.requests.every((r) => r.status === 200)).toBe(true);
  });
});
