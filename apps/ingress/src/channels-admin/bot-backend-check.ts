import { isBackendCredentialsError, TransientBotError, type BotProvider, type BotProviderRegistry, type ProbeReport } from '@app/bot-providers';
import { mapSecretValues, type Channel } from '@app/channels';

/** One line of the setup doctor (see ChannelSetupService.doctor). */
export interface DoctorCheck {
  id: string;
  title: string;
  ok: boolean;
  detail: string;
  fix?: string;
  /** Passed, but something will surprise (a mapping the backend does not honour): each with its fix. */
  warnings?: { problem: string; fix: string }[];
  /** Nothing could be checked (a provider without a probe): not a failure. */
  skipped?: boolean;
}

type Bot = Channel['bots'][number];

/** The doctor never waits longer than this for one backend, whatever the bot's own timeout. */
const PROBE_LIMIT_MS = 5000;
/** Grace beyond the probe's own timeout before the doctor gives up on a provider that ignores its signal. */
const PROBE_GRACE_MS = 1000;

/**
 * "Bot backend <name>": one harmless call to the bot's backend through its provider's probe, with
 * the channel's stored config, told apart as the admin needs it: unreachable or failing (address,
 * network), reachable but the credentials refused (which fields to enter again), or working (with
 * the provider's mapping warnings). No text of it carries a secret of the config.
 */
export async function botBackendCheck(registry: BotProviderRegistry, channel: Channel, bot: Bot, index: number): Promise<DoctorCheck> {
  const id = `bot-backend:${bot.id}`;
  const title = `Bot backend ${bot.name ?? bot.id}`;
  const name = bot.provider.name;
  const provider = registry.get(name);
  const where = (what: string) => (channel.source === 'file' ? `${what} in the channels file (CHANNELS_FILE, bots[${index}].provider) and restart the gateway` : `${what} in the bots step (setup step 4)`);
  if (!provider) {
    return { id, title, ok: false, detail: `no bot provider named "${name}" is registered in this gateway`, fix: where(`choose one of ${registry.names().join(', ')}`) };
  }
  if (!provider.probe) {
    return { id, title, ok: true, skipped: true, detail: `not probed: the ${name} provider has no harmless call to make` };
  }
  const secretPaths = registry.secretPaths(name);
  const hide = redactor(bot.provider.config, secretPaths);
  const docs = provider.configSpec?.docs ? `; see ${provider.configSpec.docs}` : '';
  try {
    const report = await probeOnce(provider, bot);
    const warnings = (report.warnings ?? []).slice(0, 10).map((w) => ({ problem: hide(String(w.problem)), fix: hide(String(w.fix)) }));
    return { id, title, ok: true, detail: hide(`${name}: reachable, credential accepted (${report.detail})`), ...(warnings.length ? { warnings } : {}) };
  } catch (e) {
    const message = hide(e instanceof Error ? e.message : String(e));
    if (isBackendCredentialsError(e)) {
      return { id, title, ok: false, detail: `${name}: reachable, credential refused (${message})`, fix: hide(where(`enter credentials the backend accepts: ${secretFields(provider, secretPaths)}`) + docs) };
    }
    if (e instanceof TransientBotError || (e as { transient?: unknown })?.transient === true) {
      return { id, title, ok: false, detail: `${name}: unreachable or failing (${message})`, fix: transientFix(message, provider, where) + docs };
    }
    if (/private or (reserved|loopback) address|must use https/.test(message)) {
      return { id, title, ok: false, detail: `${name}: ${message}`, fix: `${where(`use a public https address in ${urlFields(provider)}`)}; BOT_PROVIDERS_ALLOW_PRIVATE=true allows private addresses and plain http, for development only` };
    }
    return { id, title, ok: false, detail: `${name}: ${message}`, fix: where(`check the ${name} settings`) + docs };
  }
}

/** The probe with its budget, and a last resort against a provider that does not honour its signal. */
async function probeOnce(provider: BotProvider, bot: Bot): Promise<ProbeReport> {
  const timeoutMs = Math.min(bot.provider.timeoutMs, PROBE_LIMIT_MS);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new TransientBotError(`the backend did not answer within ${timeoutMs} ms`));
    }, timeoutMs + PROBE_GRACE_MS);
  });
  // A hair after the budget: the provider's own per-request timeout names the backend first.
  const own = setTimeout(() => controller.abort(), timeoutMs + 50);
  try {
    const report = await Promise.race([provider.probe!({ signal: controller.signal, timeoutMs, config: bot.provider.config }), late]);
    if (!report || typeof report.detail !== 'string') return { detail: 'the probe answered nothing to report' };
    return report;
  } catch (e) {
    // "Cancelled: the turn's time ran out" is a turn's wording; here it is the doctor's budget.
    if (controller.signal.aborted && !(e instanceof TransientBotError && /within \d+ ms/.test(e.message))) throw new TransientBotError(`the backend did not answer within ${timeoutMs} ms`);
    throw e;
  } finally {
    clearTimeout(timer);
    clearTimeout(own);
  }
}

function transientFix(message: string, provider: BotProvider, where: (what: string) => string): string {
  if (/HTTP 429/.test(message)) return 'the backend is rate limiting the gateway: try again later, or raise the quota on the backend’s side';
  if (/HTTP 5\d\d/.test(message)) return 'the backend answers but fails: check its status and logs on the backend’s side, then run the doctor again';
  return `${where(`check ${urlFields(provider)}`)}; make sure this gateway can reach that address (DNS, firewall, outbound proxy); private addresses and plain http need BOT_PROVIDERS_ALLOW_PRIVATE=true, for development only`;
}

/** The form labels of the secret fields (what the admin sees), with their config keys. */
function secretFields(provider: BotProvider, paths: readonly string[]): string {
  const fields = provider.configSpec?.fields ?? [];
  const covered = (key: string) => paths.some((p) => key === p || key.startsWith(`${p}.`));
  const named = fields.filter((f) => f.kind === 'secret' || covered(f.key)).map((f) => `${f.label} (${f.key})`);
  return (named.length ? named : paths.map((p) => `the ${p} setting`)).join(', ');
}

function urlFields(provider: BotProvider): string {
  const spec = provider.configSpec;
  const urls = spec?.urls.length ? spec.urls : ['url'];
  const named = urls.map((u) => spec?.fields.find((f) => f.key === u)).filter((f) => !!f).map((f) => `${f.label} (${f.key})`);
  return named.length ? named.join(', ') : urls.join(', ');
}


/**
 * Replaces every secret value of the config found in a text: a provider's detail or error message
 * should never quote one, and the doctor's answer is shown and kept in browsers.
 */
function redactor(config: Record<string, unknown>, paths: readonly string[]): (text: string) => string {
  const secrets: string[] = [];
  mapSecretValues(config, paths, (v) => {
    // `Bearer <token>`: the token alone is as secret as the whole value.
    for (const s of [v.trim(), v.trim().split(/\s+/).at(-1) ?? '']) if (s.length >= 4 && !secrets.includes(s)) secrets.push(s);
    return v;
  });
  secrets.sort((a, b) => b.length - a.length);
  return (text) => secrets.reduce((t, s) => t.split(s).join('[secret]'), text).slice(0, 1000);
}
