import { renderToString } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api.js';
import type { BotView, DoctorCheck, ProviderDescription } from '../types.js';
import { CheckItem } from './doctor.js';
import { configPatch, initialState, sortProblems, urlMovesAway, type ConfigContext, type ConfigEdits, type FieldState } from './provider-config.js';
import { ProviderConfigForm } from './provider-form.js';
import { botsOf, configContext, draftsOf } from './step-bots.js';

/** A provider shaped like the real ones: every field kind, dotted keys, a secret and a secret map. */
const KORE: ProviderDescription = {
  name: 'kore',
  title: 'Kore.ai XO (Webhook channel v2)',
  docs: 'docs/providers/kore.md',
  secrets: ['clientSecret', 'headers'],
  fields: [
    { key: 'webhookUrl', label: 'Webhook URL', kind: 'url', required: true, placeholder: 'https://bots.kore.ai/chatbot/v2/webhook/st-…', help: 'The POST URL of the bot’s Webhook channel.' },
    { key: 'clientId', label: 'Client ID', kind: 'text', required: true },
    { key: 'clientSecret', label: 'Client secret', kind: 'secret', required: true, help: 'From the Webhook channel’s app.' },
    { key: 'pollIntervalMs', label: 'Poll interval (ms)', kind: 'number', placeholder: '300' },
    { key: 'handoff.taskNames', label: 'Handoff task names', kind: 'list', help: 'Completed tasks that mean "hand off".' },
    { key: 'greeting', label: 'Greeting', kind: 'textarea' },
    { key: 'extra', label: 'Extra fields', kind: 'map' },
    { key: 'headers', label: 'Headers', kind: 'map' },
  ],
};

const HTTP: ProviderDescription = {
  name: 'http',
  title: 'Your own HTTP service',
  docs: 'docs/http-bot-provider.md',
  secrets: ['headers'],
  fields: [
    { key: 'url', label: 'Bot URL', kind: 'url', required: true },
    { key: 'headers', label: 'Headers', kind: 'map' },
  ],
};

const STORED = { webhookUrl: 'https://bots.kore.ai/chatbot/v2/webhook/st-1', clientId: 'cs-1', pollIntervalMs: 500, handoff: { taskNames: ['Agent Transfer', 'Escalate'] }, extra: { tier: 'gold', region: 'eu' } };

const ctx = (over: Partial<ConfigContext> = {}): ConfigContext => ({ fields: KORE.fields, secrets: KORE.secrets, stored: STORED, secretsSet: ['clientSecret', 'headers'], ...over });
const field = (key: string) => KORE.fields.find((f) => f.key === key)!;
/** The state an admin leaves after editing a field from what it showed. */
const edited = (c: ConfigContext, key: string, patch: Partial<FieldState>): ConfigEdits => ({ [key]: { ...initialState(field(key), c.stored, key === 'clientSecret' || key === 'headers'), ...patch } });

const form = (c: ConfigContext, edits: ConfigEdits = {}, errors: Record<string, string[]> = {}, description: ProviderDescription | undefined = KORE) =>
  renderToString(<ProviderConfigForm idPrefix="bot-1" providerName={description?.name ?? 'custom'} description={description} ctx={c} edits={edits} onEdit={() => undefined} errors={errors} />);

/** The opening tag of the control of one field. */
const control = (html: string, key: string) => new RegExp(`<(input|textarea)[^>]*data-key="${key.replace('.', '\\.')}"[^>]*>`).exec(html)?.[0] ?? '';
const fieldBlock = (html: string, key: string) => new RegExp(`data-testid="provider-field" data-key="${key.replace('.', '\\.')}"[\\s\\S]*?(?=data-testid="provider-field"|</fieldset>)`).exec(html)?.[0] ?? '';

describe('the provider config form is generated from the descriptors', () => {
  const html = form(ctx());

  it('titles the group with the provider and points at its setup guide', () => {
    expect(html).toContain('<legend>Provider settings: Kore.ai XO (Webhook channel v2)</legend>');
    expect(html).toContain('Setup guide: <code>docs/providers/kore.md</code>');
  });

  it('one control per field, of the kind’s type, in the descriptors’ order', () => {
    expect([...html.matchAll(/data-testid="provider-field" data-key="([^"]+)" data-kind="([^"]+)"/g)].map((m) => `${m[1]}:${m[2]}`)).toEqual(KORE.fields.map((f) => `${f.key}:${f.kind}`));
    expect(control(html, 'webhookUrl')).toContain('type="url"');
    expect(control(html, 'clientId')).toContain('type="text"');
    expect(control(html, 'clientSecret')).toContain('type="password"');
    expect(control(html, 'pollIntervalMs')).toContain('type="number"');
    expect(control(html, 'handoff.taskNames')).toMatch(/^<textarea/);
    expect(control(html, 'greeting')).toMatch(/^<textarea/);
  });

  it('marks required fields, shows help and placeholders, and ties the help to its control', () => {
    expect(fieldBlock(html, 'webhookUrl')).toMatch(/<label for="bot-1-cfg-webhookUrl">Webhook URL<span class="required-mark" aria-hidden="true"> \*<\/span><\/label>/);
    expect(control(html, 'webhookUrl')).toContain('required');
    expect(control(html, 'webhookUrl')).toContain('placeholder="https://bots.kore.ai/chatbot/v2/webhook/st-…"');
    expect(control(html, 'webhookUrl')).toContain('aria-describedby="bot-1-cfg-webhookUrl-hint"');
    expect(fieldBlock(html, 'webhookUrl')).toContain('<p class="hint" id="bot-1-cfg-webhookUrl-hint">The POST URL of the bot’s Webhook channel.</p>');
    expect(control(html, 'pollIntervalMs')).not.toContain('required');
    expect(html).toContain('are required.');
  });

  it('shows the stored values: scalars, a number, a list one per line, a map as name/value rows', () => {
    expect(control(html, 'webhookUrl')).toContain('value="https://bots.kore.ai/chatbot/v2/webhook/st-1"');
    expect(control(html, 'pollIntervalMs')).toContain('value="500"');
    expect(html).toMatch(/<textarea[^>]*data-key="handoff\.taskNames"[^>]*>Agent Transfer\nEscalate<\/textarea>/);
    expect(fieldBlock(html, 'handoff.taskNames')).toContain('One per line. Completed tasks that mean &quot;hand off&quot;.');
    const extra = fieldBlock(html, 'extra');
    expect([...extra.matchAll(/data-testid="provider-map-name"|data-testid="provider-map-value"/g)]).toHaveLength(4);
    expect(extra).toContain('value="tier"');
    expect(extra).toContain('value="gold"');
    expect(extra).toContain('aria-label="Remove tier from Extra fields"');
    expect(extra).toMatch(/<label class="visually-hidden" for="bot-1-cfg-extra-name-0">Name 1 of Extra fields<\/label>/);
  });

  it('a provider without fields has no settings; one the gateway does not describe keeps its settings', () => {
    expect(form(ctx({ fields: [] }), {}, {}, { name: 'demo', title: 'Demo', fields: [], secrets: [] })).toContain('No settings.');
    const undescribed = renderToString(<ProviderConfigForm idPrefix="b" providerName="custom" description={undefined} ctx={ctx()} edits={{}} onEdit={() => undefined} errors={{}} />);
    expect(undescribed).toContain('describes no settings form for <code>custom</code>: its stored settings are kept as they are');
  });
});

describe('secrets are write-only', () => {
  it('a stored secret is never shown, not required again, and says it is kept when left empty', () => {
    const html = form(ctx());
    const input = control(html, 'clientSecret');
    expect(input).not.toMatch(/value="[^"]/);
    expect(input).not.toContain('required');
    expect(input).toContain('placeholder="set — leave empty to keep"');
    expect(input).toContain('autocomplete="new-password"');
    expect(input).toContain('aria-describedby="bot-1-cfg-clientSecret-state bot-1-cfg-clientSecret-hint"');
    expect(fieldBlock(html, 'clientSecret')).toMatch(/Set — leave empty to keep\. <button type="button" class="btn-link"[^>]*>Remove it<span class="visually-hidden"> \(the stored Client secret\)<\/span><\/button>/);
    // A secret map shows no stored entry, only that it is set.
    expect(fieldBlock(html, 'headers')).not.toContain('data-testid="provider-map-row"');
    expect(fieldBlock(html, 'headers')).toContain('data-write-only="true"');
    expect(fieldBlock(html, 'headers')).toContain('entries added here are added');
  });

  it('a required secret that is not stored is required, with its own placeholder', () => {
    const html = form(ctx({ secretsSet: [] }));
    expect(control(html, 'clientSecret')).toContain('required');
    expect(fieldBlock(html, 'clientSecret')).not.toContain('provider-secret-state');
  });

  it('sends nothing for an untouched or emptied secret, the value when typed, null when removed', () => {
    const c = ctx();
    expect(configPatch(c, {})).toEqual({});
    expect(configPatch(c, edited(c, 'clientSecret', { text: '' }))).toEqual({});
    expect(configPatch(c, edited(c, 'clientSecret', { text: 'n3w-secret' }))).toEqual({ clientSecret: 'n3w-secret' });
    expect(configPatch(c, edited(c, 'clientSecret', { clear: true }))).toEqual({ clientSecret: null });
    expect(configPatch(c, edited(c, 'headers', { rows: [{ name: 'Authorization', value: 'Bearer k' }, { name: ' ', value: 'ignored' }] }))).toEqual({ headers: { Authorization: 'Bearer k' } });
    expect(configPatch(c, edited(c, 'headers', { clear: true }))).toEqual({ headers: null });
  });

  it('a removed secret shows that it goes on save, with a way back, and its control is off', () => {
    const html = form(ctx(), edited(ctx(), 'clientSecret', { clear: true }));
    expect(fieldBlock(html, 'clientSecret')).toContain('Removed when you save.');
    expect(fieldBlock(html, 'clientSecret')).toContain('>Keep it<span class="visually-hidden"> (the stored Client secret)</span></button>');
    expect(control(html, 'clientSecret')).toContain('disabled');
  });

  it('a field under an object secret path (credentials.private_key) is write-only too', () => {
    const dfcx: ConfigContext = {
      fields: [
        { key: 'credentials.client_email', label: 'Client email', kind: 'text' },
        { key: 'credentials.private_key', label: 'Private key', kind: 'textarea' },
      ],
      secrets: ['credentials'],
      stored: {},
      secretsSet: ['credentials'],
    };
    const html = renderToString(<ProviderConfigForm idPrefix="b" providerName="dialogflow-cx" description={{ name: 'dialogflow-cx', title: 'Dialogflow CX', fields: [...dfcx.fields], secrets: ['credentials'] }} ctx={dfcx} edits={{}} onEdit={() => undefined} errors={{}} />);
    expect([...html.matchAll(/data-write-only="true"/g)]).toHaveLength(2);
    const key = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
    expect(configPatch(dfcx, { 'credentials.private_key': { text: key, rows: [], clear: false } })).toEqual({ credentials: { private_key: key } });
  });

  it('warns that moving the address drops the stored secrets unless entered again', () => {
    const c = ctx();
    expect(urlMovesAway(c, edited(c, 'webhookUrl', { text: 'https://bots.kore.ai/chatbot/v2/webhook/st-2' }))).toBe(false);
    const moved = edited(c, 'webhookUrl', { text: 'https://kore.internal.example.com/hook' });
    expect(urlMovesAway(c, moved)).toBe(true);
    expect(form(c, moved)).toContain('data-testid="provider-url-moves"');
    expect(urlMovesAway(ctx({ secretsSet: [] }), moved)).toBe(false);
  });
});

describe('visible fields are sent as a merge patch of what changed', () => {
  const c = ctx();

  it('changed scalars, numbers, lists and dotted keys, as their config types', () => {
    expect(configPatch(c, { ...edited(c, 'webhookUrl', { text: ' https://bots.kore.ai/x ' }), ...edited(c, 'pollIntervalMs', { text: '250' }), ...edited(c, 'handoff.taskNames', { text: 'Agent\n\n  Human \n' }) })).toEqual({
      webhookUrl: 'https://bots.kore.ai/x',
      pollIntervalMs: 250,
      handoff: { taskNames: ['Agent', 'Human'] },
    });
    // Not a number: sent as typed, for the server to name the problem.
    expect(configPatch(c, edited(c, 'pollIntervalMs', { text: 'soon' }))).toEqual({ pollIntervalMs: 'soon' });
  });

  it('an edit back to the stored value sends nothing; an emptied stored field is removed, an empty new one left out', () => {
    expect(configPatch(c, edited(c, 'clientId', { text: 'cs-1' }))).toEqual({});
    expect(configPatch(c, edited(c, 'handoff.taskNames', { text: 'Agent Transfer\nEscalate\n' }))).toEqual({});
    expect(configPatch(c, edited(c, 'pollIntervalMs', { text: '' }))).toEqual({ pollIntervalMs: null });
    expect(configPatch(c, edited(c, 'handoff.taskNames', { text: '' }))).toEqual({ handoff: { taskNames: null } });
    expect(configPatch(c, edited(c, 'greeting', { text: '' }))).toEqual({});
  });

  it('a map row removed is removed by name (the server merges maps); a renamed one too', () => {
    expect(configPatch(c, edited(c, 'extra', { rows: [{ name: 'tier', value: 'silver' }] }))).toEqual({ extra: { region: null, tier: 'silver' } });
    expect(configPatch(c, edited(c, 'extra', { rows: [{ name: 'tier', value: 'gold' }, { name: 'zone', value: 'eu' }] }))).toEqual({ extra: { region: null, tier: 'gold', zone: 'eu' } });
    expect(configPatch(c, edited(c, 'extra', { rows: [] }))).toEqual({ extra: null });
  });
});

describe('the bots step sends each bot’s provider as name, limits and config patch', () => {
  const view: BotView[] = [
    { id: 'b1', name: 'Shop', versions: ['1.0'], languages: ['en-us'], intents: [{ name: 'Help' }], provider: { name: 'http', timeoutMs: 3000, retries: 0, url: 'https://bot.example.com/turn', config: { url: 'https://bot.example.com/turn' }, secretsSet: ['headers'] } },
  ];
  const describe_ = (name: string) => [HTTP, KORE].find((p) => p.name === name);

  it('unchanged: an empty config patch, never the view’s secretsSet or url', () => {
    expect(botsOf(draftsOf(view), describe_)[0]!.provider).toEqual({ name: 'http', timeoutMs: 3000, retries: 0, config: {} });
  });

  it('an edited field and a typed secret of the same provider', () => {
    const [d] = draftsOf(view);
    const c = configContext(d!, HTTP);
    expect(c.secretsSet).toEqual(['headers']);
    d!.edits = { url: { text: 'https://bot.example.com/v2', rows: [], clear: false }, headers: { text: '', rows: [{ name: 'authorization', value: 'Bearer new' }], clear: false } };
    expect(botsOf([d!], describe_)[0]!.provider).toEqual({ name: 'http', timeoutMs: 3000, retries: 0, config: { url: 'https://bot.example.com/v2', headers: { authorization: 'Bearer new' } } });
  });

  it('switching provider starts from an empty config: nothing stored shown, every filled field sent', () => {
    const [d] = draftsOf(view);
    d!.provider = 'kore';
    const c = configContext(d!, KORE);
    expect(c).toMatchObject({ stored: {}, secretsSet: [] });
    const html = form(c);
    expect(control(html, 'clientSecret')).toContain('required');
    expect(control(html, 'webhookUrl')).not.toMatch(/value="[^"]/);
    d!.edits = { webhookUrl: { text: 'https://bots.kore.ai/hook', rows: [], clear: false }, clientId: { text: 'cs-9', rows: [], clear: false }, clientSecret: { text: 's3cret', rows: [], clear: false } };
    expect(botsOf([d!], describe_)[0]!.provider).toEqual({ name: 'kore', timeoutMs: 3000, retries: 0, config: { webhookUrl: 'https://bots.kore.ai/hook', clientId: 'cs-9', clientSecret: 's3cret' } });
  });
});

describe('server validation problems go next to their fields', () => {
  const error = new ApiError(400, 'invalid_request', 'invalid channel settings', [
    'bots[0].provider.config.webhookUrl: bot URL must use https (http only with BOT_PROVIDERS_ALLOW_PRIVATE in development)',
    'bots[0].provider.config.clientSecret should not be empty',
    'bots[0].provider.config.handoff.taskNames: each value must be a string',
    'bots[0].provider.config.headers.X-Bad: not a header value',
    'bots[0].provider.config.unknownKey: property unknownKey should not exist',
    'bots[1].provider.name: no bot provider named "nope" (known: demo, http, kore)',
    'bots[1].versions: at least one version',
  ]);
  const sorted = sortProblems(error, [{ fields: KORE.fields }, { fields: [] }]);

  it('by bot and field (the longest key that names it), the provider name apart, the rest for the alert', () => {
    expect(sorted.perBot[0]).toEqual({
      fields: {
        webhookUrl: ['bot URL must use https (http only with BOT_PROVIDERS_ALLOW_PRIVATE in development)'],
        clientSecret: ['clientSecret should not be empty'],
        'handoff.taskNames': ['each value must be a string'],
        headers: ['headers.X-Bad: not a header value'],
      },
      provider: [],
    });
    expect(sorted.perBot[1]).toEqual({ fields: {}, provider: ['no bot provider named "nope" (known: demo, http, kore)'] });
    expect(sorted.rest).toEqual(['bots[0].provider.config.unknownKey: property unknownKey should not exist', 'bots[1].versions: at least one version']);
  });

  it('are rendered at the field, marked invalid and described', () => {
    const html = form(ctx(), {}, sorted.perBot[0]!.fields);
    expect(control(html, 'webhookUrl')).toContain('aria-invalid="true"');
    expect(control(html, 'webhookUrl')).toContain('aria-describedby="bot-1-cfg-webhookUrl-hint bot-1-cfg-webhookUrl-error"');
    expect(fieldBlock(html, 'webhookUrl')).toContain('<p class="field-error" id="bot-1-cfg-webhookUrl-error" data-testid="provider-field-error">bot URL must use https');
    expect(control(html, 'clientId')).not.toContain('aria-invalid');
  });

  it('other errors are left as they are', () => {
    expect(sortProblems(new ApiError(409, 'managed_by_file', 'no', ['bots[0].provider.config.webhookUrl: x']), [{ fields: KORE.fields }]).rest).toEqual([]);
    expect(sortProblems(new Error('offline'), [{ fields: KORE.fields }]).perBot[0]).toEqual({ fields: {}, provider: [] });
  });
});

describe('doctor checks', () => {
  const render = (c: DoctorCheck) => renderToString(<CheckItem check={c} />);

  it('a passing bot backend with warnings shows each with its fix', () => {
    const html = render({ id: 'bot-backend:b1', title: 'Bot backend Shop', ok: true, detail: 'openai: reachable, credential accepted (model listed)', warnings: [{ problem: 'the model cannot call tools', fix: 'choose a model with tool calling' }] });
    expect(html).toContain('data-state="warnings"');
    expect(html).toContain('<strong>Warning:</strong> the model cannot call tools <span class="check-fix"><strong>Fix:</strong> choose a model with tool calling</span>');
  });

  it('an unprobed backend is "not checked", not failed; a refused credential shows its fix', () => {
    expect(render({ id: 'bot-backend:b2', title: 'Bot backend Demo', ok: true, skipped: true, detail: 'not probed' })).toContain('data-state="not checked"');
    const failed = render({ id: 'bot-backend:b3', title: 'Bot backend Kore', ok: false, detail: 'kore: reachable, credential refused (HTTP 401)', fix: 'enter credentials the backend accepts: Client secret (clientSecret) in the bots step (setup step 4)' });
    expect(failed).toContain('data-state="failed"');
    expect(failed).toContain('<strong>Fix:</strong> enter credentials the backend accepts: Client secret (clientSecret)');
  });
});
