import { renderToString } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api.js';
import { ErrorAlert } from '../components/ui.js';
import type { ChannelStatus, ChannelView } from '../types.js';
import { ChannelSetup } from './setup-page.js';
import { OAuthStatusView, oauthSecretRequirement } from './step-oauth.js';
import { regionChangeNeedsOAuthSecret } from './step-webhook.js';

function channel(source: 'api' | 'file', overrides: Partial<ChannelView> = {}): ChannelView {
  return {
    id: 'shop',
    name: 'Shop',
    enabled: true,
    source,
    webhookUrl: 'https://gw.example.com/genesys/shop/botconnector',
    dbcUrl: 'https://gw.example.com/genesys/shop/dbc',
    oauthCallbackUrl: 'https://gw.example.com/oauth/genesys/callback',
    genesys: {
      environment: 'mypurecloud.ie',
      loginUrl: 'https://login.mypurecloud.ie',
      integrationId: 'c0ffee00-1234-4bcd-9abc-0123456789ab',
      oauth: { clientId: 'shop-oauth', clientSecretSet: true, grant: 'authorization_code', pkce: true, scopes: ['architect', 'integrations', 'textbots'] },
      digitalBotConnector: { secretHeader: 'x-connection-secret', secretSet: true, inlineWindowMs: 800 },
      participantData: true,
      restrictToGenesysIps: false,
    },
    app: { clientId: 'shop-app', secrets: [{ fingerprint: '3f2a9c000000' }, { fingerprint: '77aa11000000' }] },
    replyDeadlineMs: 5000,
    deadlinePolicy: 'hold',
    holdMessage: 'One moment please…',
    defaultLanguage: 'en-us',
    handoff: { intent: 'AgentHandoff', endIntent: 'EndConversation', defaultQueue: 'General' },
    templates: { profile: 'webmessaging', disable: [] },
    bots: [{ id: 'bot1', name: 'Bot One', versions: ['1.0'], languages: ['en-us'], intents: [{ name: 'Help' }], provider: { name: 'demo', timeoutMs: 4000, retries: 1 } }],
    notifications: { ratePerSecond: 10, from: {} },
    ...overrides,
  } as ChannelView;
}

const status: ChannelStatus = {
  channelId: 'shop',
  steps: [
    { id: 'webhook', title: 'Webhook URL and region', done: true, detail: '', next: null },
    { id: 'app', title: 'App credential', done: true, detail: '', next: null },
    { id: 'oauth', title: 'Genesys OAuth', done: false, detail: 'not authorized yet', next: 'Authorize the gateway in Genesys Cloud' },
    { id: 'bots', title: 'Bots published', done: false, detail: 'never published', next: 'Publish the bot list' },
    { id: 'enabled', title: 'Channel enabled', done: true, detail: 'enabled', next: null },
  ],
  lastGenesysContactAt: null,
  lastPublish: null,
  oauth: { connected: false, reauthorizeNeeded: true, reason: 'not authorized yet' },
  lastError: null,
} as unknown as ChannelStatus;

const render = (c: ChannelView) => renderToString(<ChannelSetup channel={c} status={status} setChannel={() => undefined} reload={async () => undefined} />);

interface Control {
  tag: string;
  name: string;
  disabled: boolean;
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const CONTROLS = new Set(['button', 'input', 'select', 'textarea']);

/**
 * Every form control in rendered HTML and whether the user can operate it, as the browser decides:
 * its own `disabled`, or any enclosing `<fieldset disabled>` (the file channel's forms).
 */
function controls(html: string): Control[] {
  const out: Control[] = [];
  const open: { tag: string; disables: boolean }[] = [];
  for (const m of html.matchAll(/<(\/?)([a-zA-Z][\w-]*)((?:\s+[^\s"'>/=]+(?:="[^"]*")?)*)\s*(\/?)>/g)) {
    const [, closing, rawTag, attrs = ''] = m;
    const tag = rawTag!.toLowerCase();
    if (closing) {
      const at = open.map((o) => o.tag).lastIndexOf(tag);
      if (at >= 0) open.length = at;
      continue;
    }
    const attr = (name: string) => new RegExp(`\\s${name}(?:="([^"]*)")?(?=\\s|$)`).exec(attrs);
    const ownDisabled = !!attr('disabled');
    if (CONTROLS.has(tag)) {
      const name = attr('data-testid')?.[1] ?? attr('id')?.[1] ?? `${tag}?`;
      out.push({ tag, name, disabled: ownDisabled || open.some((o) => o.disables) });
    }
    if (!VOID.has(tag) && !m[4]) open.push({ tag, disables: tag === 'fieldset' && ownDisabled });
  }
  return out;
}

const enabledNames = (html: string) => [...new Set(controls(html).filter((c) => !c.disabled).map((c) => c.name))].sort();

/** What a file channel still offers: nothing here changes its definition. */
const USABLE_ON_FILE_CHANNELS = new Set(['doctor-run', 'oauth-authorize', 'oauth-connect', 'oauth-status-refresh', 'publish-prune', 'publish-button', 'publish-compare', 'publish-force', 'test-input', 'test-send', 'test-new-session']);

describe('setup page of a channel from the channels file', () => {
  const html = render(channel('file'));

  it('says where the channel is changed, and what still works here', () => {
    expect(html).toContain('data-testid="setup-file-notice"');
    const notice = /data-testid="setup-file-notice"[^>]*>([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '';
    expect(notice).toContain('defined in the channels file');
    expect(notice).toContain('take effect when the gateway restarts');
    expect(notice).toMatch(/Authorize.*Publish.*setup doctor.*test panel/s);
  });

  it('leaves no control enabled that would change the channel', () => {
    const enabled = enabledNames(html).filter((n) => !n.endsWith('-copy'));
    expect(enabled.filter((n) => !USABLE_ON_FILE_CHANNELS.has(n))).toEqual([]);
    // The ones that do not change the definition stay usable.
    expect(enabled).toEqual(expect.arrayContaining(['doctor-run', 'oauth-authorize', 'publish-button', 'test-input']));
  });

  it('disables the change controls as a group (a disabled fieldset), with a hint naming the field of the file', () => {
    const byName = new Map(controls(html).map((c) => [c.name, c]));
    for (const name of ['region-input', 'region-save', 'create-app-secret', 'oauth-client-id', 'oauth-client-secret', 'oauth-save', 'integration-id', 'bot-name', 'bot-add', 'bots-save', 'enable-toggle', 'dbc-header', 'dbc-generate']) {
      expect({ name, disabled: byName.get(name)?.disabled }).toEqual({ name, disabled: true });
    }
    expect(html).toMatch(/<fieldset class="plain-fieldset" disabled[^>]*aria-describedby="app-secrets-from-file"/);
    expect(html).toContain('Create or revoke secrets in the channels file');
    expect(html).toMatch(/data-testid="enabled-from-file"[^>]*>[\s\S]*?Set <code>enabled: true<\/code>/);
    for (const hint of ['region', 'oauth', 'integration', 'bots', 'dbc']) expect(html).toContain(`data-testid="${hint}-from-file"`);
  });

  it('offers no revoking and no delete section', () => {
    expect(html).not.toContain('data-testid="app-secret-revoke"');
    expect(html).toContain('data-testid="app-secret"');
    expect(html).not.toContain('data-testid="delete-channel"');
    expect(html).not.toContain('delete-confirm');
  });
});

describe('setup page of a channel created in the console or API', () => {
  const html = render(channel('api'));

  it('has no file notice, hint or disabled group', () => {
    expect(html).not.toContain('setup-file-notice');
    expect(html).not.toContain('-from-file');
    expect(html).not.toContain('plain-fieldset');
  });

  it('keeps its change controls enabled, revoking and delete included', () => {
    const enabled = enabledNames(html);
    expect(enabled).toEqual(
      expect.arrayContaining(['region-input', 'create-app-secret', 'app-secret-revoke', 'oauth-client-id', 'oauth-client-secret', 'integration-id', 'bot-name', 'bot-add', 'enable-toggle', 'dbc-header', 'dbc-generate', 'delete-confirm', 'oauth-authorize', 'publish-button', 'doctor-run']),
    );
    expect(html).toContain('data-testid="delete-channel"');
  });
});

describe('the OAuth client secret follows the client and its host', () => {
  const api = channel('api');

  it('is required when none is stored or the client id changes', () => {
    expect(oauthSecretRequirement(api, 'shop-oauth')).toBeNull();
    expect(oauthSecretRequirement(api, ' shop-oauth ')).toBeNull();
    expect(oauthSecretRequirement(api, 'another-client')).toBe('new-client');
    expect(oauthSecretRequirement(channel('api', { genesys: { ...api.genesys, oauth: null } }), 'x')).toBe('missing');
  });

  it('is required with a region that moves the login host, whichever way it is typed', () => {
    expect(regionChangeNeedsOAuthSecret(api, 'https://login.mypurecloud.ie')).toBe(false);
    expect(regionChangeNeedsOAuthSecret(api, 'eu-west-1')).toBe(false);
    expect(regionChangeNeedsOAuthSecret(api, 'https://login.mypurecloud.de')).toBe(true);
    expect(regionChangeNeedsOAuthSecret(api, 'apps.usw2.pure.cloud')).toBe(true);
    // The server refuses an unknown region for itself; no OAuth client, or a host override, never moves.
    expect(regionChangeNeedsOAuthSecret(api, 'not-a-region')).toBe(false);
    expect(regionChangeNeedsOAuthSecret(channel('api', { genesys: { ...api.genesys, oauth: null } }), 'mypurecloud.de')).toBe(false);
    expect(regionChangeNeedsOAuthSecret(channel('api', { genesys: { ...api.genesys, oauth: { ...api.genesys.oauth!, baseUrl: 'https://genesys-proxy.example.com' } } }), 'mypurecloud.de')).toBe(false);
  });

  it('the rendered secret field stays optional while the stored client stays', () => {
    const html = render(api);
    expect(html).toMatch(/<input id="oauth-client-secret"(?![^>]*required)[^>]*>/);
    expect(html).toContain('A secret is set. Leave empty to keep it');
  });
});

describe('ErrorAlert shows what the gateway refused and why', () => {
  it('a file channel change: 409 managed_by_file with its message', () => {
    const e = new ApiError(409, 'managed_by_file', 'channel "demo" is defined in the channels file (CHANNELS_FILE=config/channels.yaml): change it there and restart the gateway; a change made here would be undone at the next start');
    const html = renderToString(<ErrorAlert error={e} testid="x" />);
    expect(html).toContain('role="alert"');
    expect(html).toContain('Not changed here.');
    expect(html).toContain('change it there and restart the gateway');
  });

  it('a 409 conflict and a 400 with their details listed', () => {
    const conflict = new ApiError(409, 'conflict', 'channel "shop" cannot be enabled: app.clientSecrets[0], genesys.oauth.baseUrl are development-only settings', ['app.clientSecrets[0]', 'genesys.oauth.baseUrl']);
    const html = renderToString(<ErrorAlert error={conflict} />);
    expect(html).toContain('cannot be enabled');
    expect(html).toContain('<li>app.clientSecrets[0]</li><li>genesys.oauth.baseUrl</li>');

    const invalid = new ApiError(400, 'invalid_request', 'the OAuth client or its Genesys host changes: give genesys.oauth.clientSecret again in the same request', [
      'genesys.oauth.clientSecret: required when genesys.oauth.clientId, genesys.oauth.baseUrl or genesys.environment changes',
    ]);
    const out = renderToString(<ErrorAlert error={invalid} />);
    expect(out).toContain('give genesys.oauth.clientSecret again');
    expect(out).toContain('<li>genesys.oauth.clientSecret: required when genesys.oauth.clientId, genesys.oauth.baseUrl or genesys.environment changes</li>');
  });
});

describe('the OAuth connection says what waits while the channel is not connected, and the click that fixes it', () => {
  const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/&rsquo;/g, '’');

  it('a code-grant channel not authorized yet: its v2 replies wait for Authorize (or the CLI command)', () => {
    const html = render(channel('file'));
    expect(text(html)).toContain('Not connected. not authorized yet Until then, v2 (Digital Bot Connector) replies, participant data for agents and notifications wait in the gateway’s outbox: click Authorize below (or, from a terminal, npm run admin -- authorize shop).');
  });

  it('a client-credentials channel: Connect, and no authorize command', () => {
    const html = renderToString(<OAuthStatusView status={{ configured: true, connected: false, reauthorizeNeeded: false, reason: 'not connected yet' }} channelId="shop" grant="client_credentials" />);
    expect(text(html)).toContain('click Connect below.');
    expect(html).not.toContain('npm run admin');
  });

  it('says nothing of waiting replies once connected', () => {
    const html = renderToString(<OAuthStatusView status={{ configured: true, connected: true, reauthorizeNeeded: false }} channelId="shop" grant="authorization_code" />);
    expect(html).toContain('Connected.');
    expect(html).not.toContain('outbox');
  });
});
