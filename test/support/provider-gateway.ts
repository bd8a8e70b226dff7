import { createEmulatorApp, DEFAULT_V1_INTEGRATION_ID, DEFAULT_V2_INTEGRATION_ID, type ConversationView, type EmulatorApp } from '../../apps/genesys-emulator/src/main.js';
import { GatewayHarness, newSessionBody, testChannel, type TestChannel } from './gateway-harness.js';

/**
 * The setup the bot-provider e2e suites share: the Genesys emulator (a client-credentials client
 * for the gateway), one channel speaking Bot Connector v1 and the Digital Bot Connector (v2) with
 * the emulator as its OAuth server, the real ingress and worker, and an Architect flow in the
 * emulator that calls that channel's /dbc endpoint — plus the helpers to drive a v2 conversation.
 */
export const DBC_HEADER = 'X-Connection-Secret';
/** The Digital Bot Connector's shared secret (the flow sends it, the channel checks it). */
export const DBC_SECRET = 'e2e-dbc-connection-secret-0123456789abcdefXYZ';
/** The gateway's client-credentials client in the emulator. */
export const CC_CLIENT_ID = 'gw-cc';
export const CC_SECRET = 'e2e-cc-client-secret-0123456789';
export const V2_FLOW = 'v2-flow';

export interface ProviderGatewayOptions {
  /** Names the harness (its Redis key prefix). */
  name: string;
  /** Id of the channel the v2 flow calls. */
  channelId: string;
  /** The rest of that channel's definition for testChannel() (bots, replyDeadlineMs, handoff, …); `genesys` is set here. */
  channel: Record<string, unknown>;
  /** The Digital Bot Connector's inline window of that channel. */
  inlineWindowMs: number;
  /** Other channels of the gateway (after the v2 one in CHANNELS_FILE). */
  extraChannels?: TestChannel[];
  /** Environment of the gateway processes. */
  env?: Record<string, string>;
  /** Environment of one process only, on top of `env`. */
  ingressEnv?: Record<string, string>;
  workerEnv?: Record<string, string>;
}

export interface ProviderGateway {
  gw: GatewayHarness;
  emu: EmulatorApp;
  /** The v1 + v2 channel. */
  channel: TestChannel;
  /** The id of the emulator's v2 flow, for emu.emulator.startConversation(). */
  flowId: string;
  /** The worker process (a suite may kill and restart it). */
  worker: Awaited<ReturnType<GatewayHarness['startWorker']>>;
  /** Stops the gateway processes and the emulator. */
  stop(): Promise<void>;
}

/** The `genesys` block of a channel that speaks v1 and v2, with the emulator at `emulatorUrl` for OAuth. */
export function dbcGenesys(emulatorUrl: string, inlineWindowMs: number): Record<string, unknown> {
  return {
    environment: 'mypurecloud.ie',
    integrationId: DEFAULT_V1_INTEGRATION_ID,
    oauth: { clientId: CC_CLIENT_ID, clientSecret: CC_SECRET, grant: 'client_credentials', baseUrl: emulatorUrl },
    digitalBotConnector: { secretHeader: DBC_HEADER, secret: DBC_SECRET, inlineWindowMs },
  };
}

/** Starts the emulator, the gateway (ingress + worker) and registers the v2 flow (AgentHandoff → transfer, EndConversation → end). */
export async function startProviderGateway(opts: ProviderGatewayOptions): Promise<ProviderGateway> {
  const emu = await createEmulatorApp({ clients: [{ id: CC_CLIENT_ID, secret: CC_SECRET, name: 'Gateway', redirectUris: [], scopes: [], grants: ['client_credentials'] }] });
  const emulatorUrl = await emu.listen(0);
  const channel = testChannel(opts.channelId, { ...opts.channel, genesys: dbcGenesys(emulatorUrl, opts.inlineWindowMs) });
  const gw = new GatewayHarness(opts.name, [channel, ...(opts.extraChannels ?? [])], opts.env);
  const stop = async () => {
    await gw.stop();
    await emu.close();
  };
  try {
    await gw.startIngress(opts.ingressEnv);
    const worker = await gw.startWorker(opts.workerEnv);
    emu.emulator.registerFlow({
      id: V2_FLOW,
      protocol: 'v2',
      url: `${gw.baseUrl}/genesys/${channel.id}/dbc`,
      headers: { [DBC_HEADER]: DBC_SECRET },
      integrationId: DEFAULT_V2_INTEGRATION_ID,
      botId: 'bot1',
      botVersion: '1.0',
      languageCode: 'en-us',
      botResponseTimeoutMs: 5000,
      intentPaths: { AgentHandoff: { action: 'transfer', queue: 'General', queueParameter: 'handoffQueue' }, EndConversation: { action: 'end' } },
      failurePath: { action: 'transfer', queue: 'Failures' },
    });
    return { gw, emu, channel, flowId: V2_FLOW, worker, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The bot's texts in an emulated conversation; `via` keeps only those that came inline (`response`) or through the outgoing API (`outgoing`). */
export const botTexts = (view: { messages: { from: string; via?: string; text?: string }[] }, via?: string) =>
  view.messages.filter((m) => m.from === 'bot' && (via === undefined || m.via === via)).map((m) => m.text);

/** Waits until the emulated conversation passes `check`, and returns its view. */
export async function waitForView(emu: EmulatorApp, conversationId: string, check: (v: ConversationView) => boolean, timeoutMs = 10_000): Promise<ConversationView> {
  let view = emu.emulator.conversationView(conversationId)!;
  const until = Date.now() + timeoutMs;
  while (!check(view)) {
    if (Date.now() > until) throw new Error(`conversation never reached the expected state: ${JSON.stringify(view, null, 1)}`);
    await new Promise((r) => setTimeout(r, 50));
    view = emu.emulator.conversationView(conversationId)!;
  }
  return view;
}

/** Opens a v1 session with its first turn. */
export async function startSession(gw: GatewayHarness, channel: TestChannel, text: string, extra: Record<string, unknown> = {}) {
  const body = newSessionBody(text, extra);
  return { body, res: await gw.turn(channel, body) };
}
