#!/usr/bin/env node
// A tiny in-memory implementation of the admin API contract (docs/admin-api.md) for working on
// the console without the gateway: login with cookie session + CSRF, channels and their setup
// checklist, app secrets (real HS256 JWTs), OAuth with a fake Genesys consent page, publish with
// drift and the 409 "add a new version", doctor, a demo bot for test turns, conversations with
// every reply kind, dashboard, notifications. Channel "demo" comes from the channels file: every
// change to it is refused with 409 managed_by_file, as the ingress does. It also serves the built
// console (dist/console) at /console with the index.html fallback, as the ingress does.
//
//   npx vite build --config apps/console/vite.config.ts && node apps/console/dev/mock-api.mjs
//   open http://127.0.0.1:3100/console/   (user admin, password admin-password)
//
// Env: MOCK_PORT (3100), MOCK_HOST (127.0.0.1), MOCK_USER (admin), MOCK_PASSWORD (admin-password),
// MOCK_LIVE (1: a new conversation every 4 s; 0: only through POST /__mock/conversation),
// MOCK_LOG (1: log requests). For development only: nothing here is secure.

import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PORT = Number(process.env.MOCK_PORT ?? 3100);
const HOST = process.env.MOCK_HOST ?? '127.0.0.1';
const USER = process.env.MOCK_USER ?? 'admin';
const PASSWORD = process.env.MOCK_PASSWORD ?? 'admin-password';
const LIVE = (process.env.MOCK_LIVE ?? '1') !== '0';
const LOG = process.env.MOCK_LOG === '1';
const BASE = `http://${HOST}:${PORT}`;
const DIST = resolve(fileURLToPath(new URL('../../../dist/console', import.meta.url)));

// ---------------------------------------------------------------------------------------------
// Regions (same table as libs/genesys/src/regions.ts)

const REGIONS = {
  'us-east-1': 'mypurecloud.com', 'us-east-2': 'use2.us-gov-pure.cloud', 'us-west-2': 'usw2.pure.cloud', 'ca-central-1': 'cac1.pure.cloud',
  'sa-east-1': 'sae1.pure.cloud', 'mx-central-1': 'mxc1.pure.cloud', 'eu-west-1': 'mypurecloud.ie', 'eu-west-2': 'euw2.pure.cloud',
  'eu-central-1': 'mypurecloud.de', 'eu-central-2': 'euc2.pure.cloud', 'eusc-de-east-1': 'edee1.eusc-pure.cloud', 'me-central-1': 'mec1.pure.cloud',
  'ap-south-1': 'aps1.pure.cloud', 'ap-northeast-1': 'mypurecloud.jp', 'ap-northeast-2': 'apne2.pure.cloud', 'ap-northeast-3': 'apne3.pure.cloud',
  'ap-southeast-1': 'apse1.pure.cloud', 'ap-southeast-2': 'mypurecloud.com.au',
};
const KNOWN = new Set(Object.values(REGIONS));
function normalizeEnv(input) {
  if (typeof input !== 'string') return undefined;
  let host = input.trim().toLowerCase().replace(/^[a-z]+:\/\//, '');
  host = (host.split(/[/?#]/, 1)[0] ?? '').replace(/:\d+$/, '').replace(/^(login|api|apps|webmessaging)\./, '');
  return KNOWN.has(host) ? host : REGIONS[host];
}

// ---------------------------------------------------------------------------------------------
// Errors and HTTP helpers

class HttpError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}
const bad = (message, details) => new HttpError(400, 'invalid_request', message, details);
const notFound = (what = 'not found') => new HttpError(404, 'not_found', what);
const conflict = (message, details) => new HttpError(409, 'conflict', message, details);

function send(res, status, body, headers = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}
function html(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(body);
}
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > 1_000_000) throw new HttpError(413, 'invalid_request', 'body too large');
    chunks.push(c);
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  if (!raw) return {};
  if (!(req.headers['content-type'] ?? '').includes('application/json')) throw bad('send JSON (content-type: application/json)');
  try {
    return JSON.parse(raw);
  } catch {
    throw bad('the body is not valid JSON');
  }
}

function cookies(req) {
  const out = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Auth: sessions, CSRF, throttling

const sessions = new Map(); // sid -> { username, csrfToken }
const failures = new Map(); // username -> { count, until }
const ADMIN_TOKEN = 'mock-admin-token-0123456789abcdef';

function authenticate(req) {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^bearer\s+(\S+)$/i.exec(auth);
    if (m && m[1] === ADMIN_TOKEN) return { user: { username: 'admin-token', kind: 'admin_token' }, bearer: true };
    throw new HttpError(401, 'unauthenticated', 'invalid bearer token');
  }
  const sid = cookies(req).gbg_session;
  const s = sid && sessions.get(sid);
  if (!s) throw new HttpError(401, 'unauthenticated', 'log in first');
  return { user: { username: s.username, kind: 'user' }, session: s, sid };
}

function checkCsrf(req, who) {
  if (who.bearer) return;
  if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method) && req.headers['x-csrf-token'] !== who.session.csrfToken) {
    throw new HttpError(403, 'csrf_failed', 'missing or wrong X-CSRF-Token header');
  }
}

// ---------------------------------------------------------------------------------------------
// Channels

const b64url = (buf) => Buffer.from(buf).toString('base64url');
function jwt(clientId, secret) {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ appId: clientId, iat: Math.floor(Date.now() / 1000) }));
  const sig = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}
const fingerprint = (secret) => createHash('sha256').update(secret).digest('hex').slice(0, 12);

function newChannel({ id, name, environment, bots, source = 'api' }) {
  return {
    id,
    name: name || id,
    enabled: false,
    source,
    environment,
    integrationId: null,
    oauth: null,
    oauthToken: null,
    dbc: null,
    participantData: true,
    restrictToGenesysIps: false,
    app: { clientId: `${id}-app`, secrets: [] },
    replyDeadlineMs: 5000,
    deadlinePolicy: 'hold',
    holdMessage: 'One moment please…',
    defaultLanguage: 'en-us',
    handoff: { intent: 'AgentHandoff', endIntent: 'EndConversation', defaultQueue: 'General Support', maxConsecutiveFallbacks: 2, onBotError: 'handoff', summaryTurns: 5 },
    templates: { profile: 'webmessaging', disable: [] },
    bots: bots ?? [{ id: 'bot1', name: 'Demo bot', versions: ['1.0'], languages: ['en-us'], intents: [{ name: 'Help' }], provider: { name: 'demo', timeoutMs: 4000, retries: 1 } }],
    notifications: { ratePerSecond: 10, from: {} },
    genesysBots: null, // what the (mock) Genesys integration holds
    lastPublish: null,
    lastGenesysContactAt: null,
    lastError: null,
  };
}

const channels = new Map();
{
  const demo = newChannel({ id: 'demo', name: 'Demo', environment: 'mypurecloud.ie', source: 'file' });
  demo.integrationId = 'c0ffee00-1234-4bcd-9abc-0123456789ab';
  demo.oauth = { clientId: 'demo-oauth-client', clientSecret: 'x'.repeat(40), grant: 'authorization_code', pkce: true, scopes: ['architect', 'integrations', 'textbots'] };
  demo.oauthToken = { at: new Date().toISOString(), expiresAt: new Date(Date.now() + 86_400_000).toISOString(), scopes: demo.oauth.scopes };
  const s = randomBytes(32).toString('base64url');
  demo.app.secrets.push({ fingerprint: fingerprint(s), secret: s });
  demo.enabled = true;
  demo.genesysBots = botList(demo);
  demo.lastPublish = { at: new Date(Date.now() - 3600_000).toISOString(), ok: true, integrationId: demo.integrationId };
  demo.lastGenesysContactAt = new Date(Date.now() - 120_000).toISOString();
  demo.dbc = { secretHeader: 'X-Connection-Secret', secret: randomBytes(32).toString('base64url'), inlineWindowMs: 800 };
  channels.set(demo.id, demo);
  const shop = newChannel({ id: 'shop', name: 'Shop', environment: 'mypurecloud.de' });
  shop.bots = [{ id: 'shopbot', name: 'Shop assistant', versions: ['1.0'], languages: ['en-us', 'de-de'], intents: [{ name: 'OrderStatus' }, { name: 'Returns' }], provider: { name: 'http', url: 'https://bots.example.com/shop', timeoutMs: 4000, retries: 1, config: { url: 'https://bots.example.com/shop' }, storedConfig: { url: 'https://bots.example.com/shop', headers: { authorization: 'Bearer mock-shop-key' } }, secretsSet: ['headers'] } }];
  channels.set(shop.id, shop);
  // Enabled but without OAuth: "incomplete". Enabled with a recent error: "attention".
  const support = newChannel({ id: 'support', name: 'Support', environment: 'usw2.pure.cloud' });
  const s2 = randomBytes(32).toString('base64url');
  support.app.secrets.push({ fingerprint: fingerprint(s2), secret: s2 });
  support.enabled = true;
  channels.set(support.id, support);
  const legacy = newChannel({ id: 'legacy', name: 'Legacy web chat', environment: 'mypurecloud.com' });
  Object.assign(legacy, { integrationId: demo.integrationId, oauth: demo.oauth, oauthToken: demo.oauthToken, enabled: true });
  const s3 = randomBytes(32).toString('base64url');
  legacy.app.secrets.push({ fingerprint: fingerprint(s3), secret: s3 });
  legacy.genesysBots = botList(legacy);
  legacy.lastPublish = { at: new Date(Date.now() - 7200_000).toISOString(), ok: true, integrationId: legacy.integrationId };
  legacy.lastError = { at: new Date(Date.now() - 300_000).toISOString(), message: 'Genesys refused the token: 401 invalid_token (re-authorize the channel)' };
  channels.set(legacy.id, legacy);
}

function getChannel(id) {
  const c = channels.get(id);
  if (!c) throw new HttpError(404, 'channel_not_found', `no channel "${id}"`);
  return c;
}

// As the ingress does it: a channel from CHANNELS_FILE is changed in the file (its next start would undo an API change).
function changeable(id) {
  const c = getChannel(id);
  if (c.source === 'file') {
    throw new HttpError(409, 'managed_by_file', `channel "${id}" is defined in the channels file (CHANNELS_FILE=config/channels.yaml): change it there and restart the gateway; a change made here would be undone at the next start`);
  }
  return c;
}

function view(c) {
  return {
    id: c.id,
    name: c.name,
    enabled: c.enabled,
    source: c.source,
    webhookUrl: `${BASE}/genesys/${c.id}/botconnector`,
    ...(c.dbc ? { dbcUrl: `${BASE}/genesys/${c.id}/dbc` } : {}),
    oauthCallbackUrl: `${BASE}/oauth/genesys/callback`,
    genesys: {
      environment: c.environment,
      loginUrl: `https://login.${c.environment}`,
      integrationId: c.integrationId,
      oauth: c.oauth ? { clientId: c.oauth.clientId, clientSecretSet: !!c.oauth.clientSecret, grant: c.oauth.grant, pkce: c.oauth.pkce, scopes: c.oauth.scopes } : null,
      digitalBotConnector: c.dbc ? { secretHeader: c.dbc.secretHeader.toLowerCase(), secretSet: true, inlineWindowMs: c.dbc.inlineWindowMs } : null,
      participantData: c.participantData,
      restrictToGenesysIps: c.restrictToGenesysIps,
    },
    app: { clientId: c.app.clientId, secrets: c.app.secrets.map((s) => ({ fingerprint: s.fingerprint })) },
    replyDeadlineMs: c.replyDeadlineMs,
    deadlinePolicy: c.deadlinePolicy,
    holdMessage: c.holdMessage,
    defaultLanguage: c.defaultLanguage,
    handoff: c.handoff,
    templates: c.templates,
    bots: c.bots.map(({ provider: { storedConfig: _secret, ...provider }, ...b }) => ({ ...b, provider })),
    notifications: c.notifications,
  };
}

function oauthStatus(c) {
  if (!c.oauth) return { configured: false, connected: false, reauthorizeNeeded: false };
  const connected = !!c.oauthToken;
  return {
    configured: true,
    grant: c.oauth.grant,
    connected,
    ...(connected ? { expiresAt: c.oauthToken.expiresAt, scopes: c.oauthToken.scopes } : {}),
    reauthorizeNeeded: !connected && c.oauth.grant === 'authorization_code',
    ...(connected ? {} : { reason: c.oauth.grant === 'authorization_code' ? 'not authorized yet' : 'not connected yet' }),
  };
}

function steps(c) {
  const drift = c.genesysBots ? botListDrift(botList(c), c.genesysBots) : null;
  const published = !!c.lastPublish?.ok && !!drift?.inSync;
  return [
    { id: 'webhook', title: 'Webhook URL and region', done: !!c.environment, detail: `Region ${c.environment}; Webhook URL ${BASE}/genesys/${c.id}/botconnector`, next: null },
    { id: 'app', title: 'App credential', done: c.app.secrets.length > 0, detail: c.app.secrets.length ? `${c.app.secrets.length} app secret(s)` : 'no app secret yet', next: c.app.secrets.length ? null : "Create an app secret and paste it into the integration's Credentials" },
    {
      id: 'oauth',
      title: 'Genesys OAuth',
      done: !!c.oauth && !!c.oauthToken,
      detail: !c.oauth ? 'no OAuth client configured' : c.oauthToken ? `connected (${c.oauth.grant})` : 'configured, not connected',
      next: !c.oauth ? 'Create an OAuth client in Genesys Cloud and enter its id and secret' : c.oauthToken ? null : c.oauth.grant === 'authorization_code' ? 'Authorize the gateway in Genesys Cloud' : 'Connect with the client credentials',
    },
    {
      id: 'bots',
      title: 'Bots published',
      done: published,
      detail: !c.integrationId ? 'no integration id' : !c.lastPublish ? 'never published' : published ? `published ${c.lastPublish.at}` : c.lastPublish.ok ? 'configured bots changed since the last publish' : `last publish failed: ${c.lastPublish.error}`,
      next: published ? null : !c.integrationId ? 'Enter the Bot Connector integration id, then publish' : 'Publish the bot list',
    },
    { id: 'enabled', title: 'Channel enabled', done: c.enabled, detail: c.enabled ? 'enabled' : 'disabled: webhook calls get 403', next: c.enabled ? null : 'Enable the channel' },
  ];
}

// As the ingress does it: missing = ids of the steps not done (but "enabled"), badge from enabled / lastError / missing.
function summary(c) {
  const missing = steps(c).filter((x) => !x.done && x.id !== 'enabled').map((x) => x.id);
  const status = !c.enabled ? 'disabled' : c.lastError ? 'attention' : missing.length ? 'incomplete' : 'ready';
  return { id: c.id, name: c.name, enabled: c.enabled, source: c.source, status, missing };
}

// ---------------------------------------------------------------------------------------------
// Bot list and drift (a reduced copy of libs/genesys-api/src/bot-list.ts)

function botList(c) {
  return {
    chatBots: c.bots.map((b) => ({
      id: b.id,
      name: b.name ?? b.id,
      versions: b.versions.map((version) => ({ version, supportedLanguages: b.languages, intents: [...b.intents.map((i) => i.name), c.handoff.intent, c.handoff.endIntent] })),
    })),
  };
}

function botListDrift(configured, published) {
  const d = { inSync: false, missingBots: [], missingVersions: [], changedVersions: [], extraBots: [], extraVersions: [], changedBots: [] };
  const pub = new Map((published?.chatBots ?? []).map((b) => [b.id, b]));
  const ids = new Set(configured.chatBots.map((b) => b.id));
  for (const bot of configured.chatBots) {
    const p = pub.get(bot.id);
    if (!p) {
      d.missingBots.push(bot.id);
      continue;
    }
    if (bot.name !== p.name) d.changedBots.push({ botId: bot.id, differences: [`name: published "${p.name}", configured "${bot.name}"`] });
    const pv = new Map(p.versions.map((v) => [v.version, v]));
    for (const v of bot.versions) {
      const old = pv.get(v.version);
      if (!old) d.missingVersions.push({ botId: bot.id, version: v.version });
      else {
        const diffs = [];
        const a = new Set(v.intents);
        const b = new Set(old.intents);
        for (const i of a) if (!b.has(i)) diffs.push(`intent ${i} added`);
        for (const i of b) if (!a.has(i)) diffs.push(`intent ${i} removed`);
        if (v.supportedLanguages.join() !== old.supportedLanguages.join()) diffs.push('languages differ');
        if (diffs.length) d.changedVersions.push({ botId: bot.id, version: v.version, differences: diffs });
      }
    }
    const cv = new Set(bot.versions.map((v) => v.version));
    for (const v of p.versions) if (!cv.has(v.version)) d.extraVersions.push({ botId: bot.id, version: v.version });
  }
  for (const id of pub.keys()) if (!ids.has(id)) d.extraBots.push(id);
  d.inSync = !d.missingBots.length && !d.missingVersions.length && !d.changedVersions.length && !d.extraBots.length && !d.extraVersions.length && !d.changedBots.length;
  return d;
}

function publishView(c, comparedWith = 'last_publish') {
  return {
    ...(c.lastPublish ? { lastPublish: { ...c.lastPublish, ...(c.genesysBots ? { bots: c.genesysBots.chatBots.map((b) => ({ id: b.id, versions: b.versions.map((v) => v.version) })) } : {}) } } : {}),
    ...(c.genesysBots || comparedWith === 'genesys' ? { drift: botListDrift(botList(c), c.genesysBots), comparedWith } : {}),
  };
}

function publish(c, { prune, force }) {
  if (!c.oauth) throw bad(`channel "${c.id}" has no genesys.oauth configuration: the gateway needs an OAuth client to call the Genesys API`);
  if (!c.integrationId) throw bad(`channel "${c.id}" has no genesys.integrationId: copy the id of its Bot Connector integration from Genesys Cloud (Admin > Integrations > the integration > Details)`);
  if (!c.oauthToken) throw conflict(`channel "${c.id}" is not connected to Genesys Cloud (not authorized yet); authorize it first`);
  const configured = botList(c);
  const problems = [];
  configured.chatBots.forEach((b, i) => {
    if (!b.versions.length) problems.push(`chatBots[${i}].versions: must list at least one version`);
    b.versions.forEach((v, j) => {
      if (!v.supportedLanguages.length) problems.push(`chatBots[${i}].versions[${j}].supportedLanguages: must list at least one language`);
    });
  });
  if (problems.length) throw bad('the bot list would be refused by Genesys; nothing was sent', problems);
  const drift = botListDrift(configured, c.genesysBots);
  if (drift.changedVersions.length && !force) {
    throw conflict(
      'published versions would change under running Architect flows; add a new version to the bot (e.g. "1.1" after "1.0") and publish again, or publish with force=true',
      drift.changedVersions.map((v) => `${v.botId} ${v.version}: ${v.differences.slice(0, 3).join('; ')}`),
    );
  }
  let body = configured;
  if (!prune && c.genesysBots) {
    const byId = new Map(configured.chatBots.map((b) => [b.id, structuredClone(b)]));
    for (const live of c.genesysBots.chatBots) {
      const cfg = byId.get(live.id);
      if (!cfg) byId.set(live.id, live);
      else for (const v of live.versions) if (!cfg.versions.some((x) => x.version === v.version)) cfg.versions.push(v);
    }
    body = { chatBots: [...byId.values()] };
  }
  c.genesysBots = body;
  c.lastPublish = { at: new Date().toISOString(), ok: true, integrationId: c.integrationId };
  return publishView(c, 'genesys');
}

// ---------------------------------------------------------------------------------------------
// Validation of PATCH / POST bodies

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

function applyPatch(c, body) {
  const details = [];
  if (body == null || typeof body !== 'object' || Array.isArray(body)) throw bad('send a JSON object');
  for (const k of ['id', 'app', 'source']) if (k in body) details.push(`${k}: cannot be changed`);
  if ('name' in body && (typeof body.name !== 'string' || !body.name.trim())) details.push('name: must be a non-empty string');
  const g = body.genesys ?? {};
  let env;
  if ('environment' in g) {
    env = normalizeEnv(g.environment);
    if (!env) details.push(`genesys.environment: "${g.environment}" is not a known Genesys Cloud region (use a login URL like https://login.mypurecloud.ie, an API URL, a domain or an AWS region)`);
  }
  if ('integrationId' in g && g.integrationId !== null && (typeof g.integrationId !== 'string' || !/^[A-Za-z0-9-]{1,100}$/.test(g.integrationId))) details.push('genesys.integrationId: must be the integration id (letters, digits, "-")');
  let oauth;
  if ('oauth' in g) {
    // A merge patch, as the ingress applies it: fields not given keep their stored values.
    const o = g.oauth && c.oauth ? { clientId: c.oauth.clientId, grant: c.oauth.grant, pkce: c.oauth.pkce, scopes: c.oauth.scopes, ...g.oauth } : g.oauth;
    if (o === null) oauth = null;
    else {
      if (!o.clientId || typeof o.clientId !== 'string') details.push('genesys.oauth.clientId: required');
      if (!['authorization_code', 'client_credentials'].includes(o.grant ?? 'authorization_code')) details.push('genesys.oauth.grant: authorization_code or client_credentials');
      if (!o.clientSecret && !c.oauth?.clientSecret) details.push('genesys.oauth.clientSecret: required');
      if (o.clientSecret !== undefined && (typeof o.clientSecret !== 'string' || o.clientSecret.length < 8)) details.push('genesys.oauth.clientSecret: at least 8 characters');
      if (o.scopes !== undefined && (!Array.isArray(o.scopes) || o.scopes.some((s) => typeof s !== 'string' || !s))) details.push('genesys.oauth.scopes: a list of scope names');
      oauth = {
        clientId: o.clientId,
        clientSecret: o.clientSecret || c.oauth?.clientSecret,
        grant: o.grant ?? 'authorization_code',
        pkce: o.pkce ?? true,
        scopes: o.scopes ?? ['architect', 'integrations', 'textbots'],
      };
    }
  }
  if ('bots' in body) {
    if (!Array.isArray(body.bots) || body.bots.length === 0) details.push('bots: at least one bot');
    else {
      const seen = new Set();
      body.bots.forEach((b, i) => {
        if (!b.id || !ID.test(b.id)) details.push(`bots[${i}].id: 1-100 letters, digits, ".", "_" or "-"`);
        else if (seen.has(b.id)) details.push(`bots[${i}].id: duplicate "${b.id}"`);
        seen.add(b.id);
        if (!Array.isArray(b.versions) || !b.versions.length) details.push(`bots[${i}].versions: at least one version`);
        if (!Array.isArray(b.languages) || !b.languages.length) details.push(`bots[${i}].languages: at least one language`);
        const names = new Set();
        (b.intents ?? []).forEach((it, j) => {
          if (!it?.name) details.push(`bots[${i}].intents[${j}].name: required`);
          else if (names.has(it.name)) details.push(`bots[${i}].intents[${j}].name: duplicate "${it.name}"`);
          else if ([c.handoff.intent, c.handoff.endIntent].includes(it.name)) details.push(`bots[${i}].intents[${j}].name: "${it.name}" is always registered by the gateway; remove it`);
          names.add(it?.name);
        });
        if (!b.provider?.name) details.push(`bots[${i}].provider.name: required`);
      });
    }
  }
  if (details.length) throw bad('the channel was not changed', details);
  // The stored OAuth client secret goes only to the client and host it was given for.
  const nextOAuth = oauth === undefined ? c.oauth : oauth;
  const secretGiven = typeof g.oauth?.clientSecret === 'string';
  if (c.oauth && nextOAuth && !secretGiven && (nextOAuth.clientId !== c.oauth.clientId || (env && env !== c.environment))) {
    throw bad('the OAuth client or its Genesys host changes: give genesys.oauth.clientSecret again in the same request (the stored secret is never sent to another client or host)', [
      'genesys.oauth.clientSecret: required when genesys.oauth.clientId, genesys.oauth.baseUrl or genesys.environment changes',
    ]);
  }
  if ('name' in body) c.name = body.name.trim();
  // Tokens belong to the login host that issued them.
  if (env && env !== c.environment) c.oauthToken = null;
  if (env) c.environment = env;
  if ('integrationId' in g) c.integrationId = g.integrationId;
  if (oauth !== undefined) {
    const changed = JSON.stringify(oauth && { ...oauth, clientSecret: undefined }) !== JSON.stringify(c.oauth && { ...c.oauth, clientSecret: undefined }) || oauth?.clientSecret !== c.oauth?.clientSecret;
    c.oauth = oauth;
    if (changed) c.oauthToken = null;
  }
  if ('bots' in body) c.bots = body.bots.map((b) => withProviderConfig(c, b));
  for (const k of ['replyDeadlineMs', 'deadlinePolicy', 'holdMessage', 'defaultLanguage']) if (k in body) c[k] = body[k];
}

// ---------------------------------------------------------------------------------------------
// Conversations and the demo bot

const conversations = new Map(); // `${channelId}/${sid}` -> { channelId, botSessionId, genesysConversationId, status, turns: [], fallbacks }
const img = (name) => `${BASE}/mock-assets/${name}.svg`;

function qr(text, payload = text.toLowerCase()) {
  return { contentType: 'QuickReply', quickReply: { text, payload } };
}
function card(title, description, image, actions) {
  return { title, ...(description ? { description } : {}), ...(image ? { image } : {}), actions };
}
const postback = (text, payload = text.toLowerCase()) => ({ type: 'Postback', text, payload });
const link = (text, url) => ({ type: 'Link', text, url });

function demoBot(conv, text, channel) {
  const t = text.trim().toLowerCase();
  const menu = {
    type: 'Structured',
    text: 'What would you like to see?',
    content: [qr('Card'), qr('Carousel'), qr('List'), qr('Attachment'), qr('Buttons'), qr('Talk to an agent', 'agent')],
  };
  conv.fallbacks = t && !['hi', 'hello', 'menu', 'card', 'carousel', 'list', 'attachment', 'buttons', 'agent', 'talk to a human', 'bye', 'fail', 'slow'].includes(t) ? (conv.fallbacks ?? 0) + 1 : 0;
  switch (t) {
    case 'hi':
    case 'hello':
    case 'menu':
      return { botState: 'MoreData', replyMessages: [{ type: 'Text', text: 'Hello! I am the demo bot.' }, menu] };
    case 'card':
      return { botState: 'MoreData', replyMessages: [{ type: 'Structured', content: [{ contentType: 'Card', card: card('Trail runner', 'Light shoe for rough paths.\n€89', img('shoe'), [postback('Buy now', 'buy-shoe'), link('Details', 'https://example.com/shoe')]) }] }] };
    case 'carousel':
      return {
        botState: 'MoreData',
        replyMessages: [
          { type: 'Text', text: 'Our bestsellers:' },
          {
            type: 'Structured',
            content: [
              {
                contentType: 'Carousel',
                carousel: {
                  cards: [
                    card('Trail runner', '€89', img('shoe'), [postback('Buy', 'buy-1')]),
                    card('City sneaker', '€69', img('sneaker'), [postback('Buy', 'buy-2')]),
                    card('Rain boot', '€49', img('boot'), [postback('Buy', 'buy-3'), link('Size guide', 'https://example.com/sizes')]),
                  ],
                },
              },
            ],
          },
        ],
      };
    case 'list':
      return { botState: 'MoreData', replyMessages: [{ type: 'Text', text: 'Opening hours:\n• Mon–Fri 9:00–18:00\n• Sat 10:00–16:00\n• Sun closed' }] };
    case 'attachment':
      return {
        botState: 'MoreData',
        replyMessages: [
          { type: 'Text', text: 'Here is the map of our store.', content: [{ contentType: 'Attachment', attachment: { mediaType: 'Image', url: img('map'), filename: 'store-map.svg', mime: 'image/svg+xml' } }] },
          { type: 'Structured', content: [{ contentType: 'Attachment', attachment: { mediaType: 'File', url: 'https://example.com/terms.pdf', filename: 'terms.pdf', mime: 'application/pdf', contentSizeBytes: 182_000 } }] },
        ],
      };
    case 'buttons':
      return { botState: 'MoreData', replyMessages: [{ type: 'Structured', content: [{ contentType: 'Card', card: card('How can I help with your order?', undefined, undefined, [postback('Track it', 'track'), postback('Return it', 'return'), link('FAQ', 'https://example.com/faq')]) }] }] };
    case 'agent':
    case 'talk to a human':
      return handoff(channel, t === 'agent' ? 'bot_request' : 'customer_request');
    case 'fail':
      return handoff(channel, 'bot_error');
    case 'bye':
      return { botState: 'Complete', intent: channel.handoff.endIntent, replyMessages: [{ type: 'Text', text: 'Goodbye, have a nice day!' }] };
    case 'slow':
      return { botState: 'MoreData', replyMessages: [{ type: 'Text', text: channel.holdMessage }], late: true };
    default:
      if (conv.fallbacks >= 2) return handoff(channel, 'repeated_fallback');
      return { botState: 'MoreData', replyMessages: [{ type: 'Text', text: "Sorry, I didn't get that. Type menu to see what I can do." }] };
  }
}

function handoff(channel, reason) {
  return {
    botState: 'Complete',
    intent: channel.handoff.intent,
    parameters: { handoffReason: reason, handoffQueue: channel.handoff.defaultQueue ?? '' },
    replyMessages: [{ type: 'Text', text: 'Connecting you to an agent…' }],
    outcome: 'handoff',
    handoffReason: reason,
  };
}

function addTurn(conv, input, result, extra = {}) {
  const seq = conv.turns.filter((t) => !t.kind).length + 1;
  const outcome = result.outcome ?? (result.botState === 'Complete' ? (result.intent === 'EndConversation' ? 'end' : 'handoff') : result.botState === 'Failed' ? 'failed' : 'reply');
  const entry = {
    turnId: randomUUID(),
    seq,
    at: new Date().toISOString(),
    input,
    replies: result.replyMessages,
    botState: result.botState,
    ...(result.intent ? { intent: result.intent } : {}),
    outcome,
    ...(result.handoffReason ? { handoffReason: result.handoffReason } : {}),
    degradations: [],
    deliveredLate: 0,
    late: false,
    timings: { queueWaitMs: 2, botMs: 40 + Math.round(Math.random() * 200), renderMs: 1, totalMs: 60 + Math.round(Math.random() * 220) },
    ...extra,
  };
  conv.turns.push(entry);
  if (outcome === 'handoff' || outcome === 'end') conv.status = 'closed';
  conv.lastActivityAt = entry.at;
  return entry;
}

function conversation(channelId, sid = randomUUID()) {
  const key = `${channelId}/${sid}`;
  let conv = conversations.get(key);
  if (!conv) {
    conv = { channelId, botSessionId: sid, genesysConversationId: randomUUID(), status: 'open', turns: [], lastActivityAt: new Date().toISOString() };
    conversations.set(key, conv);
  }
  return conv;
}

function seedConversations() {
  const demo = channels.get('demo');
  const minutesAgo = (m) => new Date(Date.now() - m * 60_000).toISOString();
  // 1. Every reply kind, late reply, degradation, handoff.
  const a = conversation('demo', 'a1b2c3d4-0000-4000-8000-000000000001');
  for (const [txt, kind] of [['hi', 'text'], ['Card', 'button'], ['carousel', 'text'], ['attachment', 'text'], ['buttons', 'text']]) addTurn(a, { kind, text: txt, ...(kind === 'button' ? { payload: 'card' } : {}), attachments: 0 }, demoBot(a, txt, demo));
  addTurn(a, { kind: 'text', text: 'show me the sizes', attachments: 0 }, {
    botState: 'MoreData',
    replyMessages: [
      { type: 'Structured', text: 'Pick a size:', content: [{ contentType: 'List', list: { title: 'Sizes in stock', items: [{ title: 'EU 40', subtitle: '3 left' }, { title: 'EU 42', subtitle: 'plenty' }, { title: 'EU 44', subtitle: 'last one' }] } }] },
    ],
  }, { degradations: [{ from: 'carousel', to: 'card', reason: 'carousels are off for this profile' }] });
  addTurn(a, { kind: 'text', text: 'slow', attachments: 0 }, { botState: 'MoreData', replyMessages: [{ type: 'Text', text: 'One moment please…' }] });
  addTurn(a, { kind: 'attachment', text: '', attachments: 1 }, { botState: 'MoreData', replyMessages: [{ type: 'Text', text: 'Here is the slow answer you asked for.' }, { type: 'Text', text: 'Thanks for the photo!' }] }, { deliveredLate: 1 });
  a.turns.push({ kind: 'notification', turnId: randomUUID(), at: new Date().toISOString(), replies: [{ type: 'Text', text: 'Your order #1042 has shipped.' }], degradations: [], late: false });
  a.turns.push({ kind: 'outgoing_failed', turnId: randomUUID(), at: new Date().toISOString(), replies: [{ type: 'Text', text: 'Anything else?' }], degradations: [], late: false, error: '409 session closed: Genesys no longer accepts messages for this session' });
  addTurn(a, { kind: 'text', text: 'talk to a human', attachments: 0 }, handoff(demo, 'customer_request'));
  a.turns.forEach((t, i) => (t.at = minutesAgo(30 - i)));
  a.lastActivityAt = a.turns.at(-1).at;
  // 2. A late reply and an end.
  const b = conversation('demo', 'a1b2c3d4-0000-4000-8000-000000000002');
  addTurn(b, { kind: 'text', text: 'what are your opening hours?', attachments: 0 }, { botState: 'MoreData', replyMessages: [{ type: 'Text', text: 'We open at 9.' }], timings: {} }, { late: true, timings: { queueWaitMs: 3, botMs: 6400, renderMs: 1, totalMs: 6410 } });
  addTurn(b, { kind: 'text', text: 'bye', attachments: 0 }, demoBot(b, 'bye', demo));
  b.turns.forEach((t, i) => (t.at = minutesAgo(90 - i)));
  b.lastActivityAt = b.turns.at(-1).at;
  // 3. A bot error.
  const c = conversation('shop', 'a1b2c3d4-0000-4000-8000-000000000003');
  addTurn(c, { kind: 'text', text: 'where is my order', attachments: 0 }, { botState: 'Complete', intent: 'AgentHandoff', replyMessages: [{ type: 'Text', text: 'Connecting you to an agent…' }], outcome: 'handoff', handoffReason: 'bot_error' }, { error: 'http provider: 503 from https://bots.example.com/shop after 2 attempts' });
  c.turns.forEach((t, i) => (t.at = minutesAgo(200 - i)));
  c.lastActivityAt = c.turns.at(-1).at;
  c.status = 'expired';
}
seedConversations();

const LIVE_LINES = ['hi', 'card', 'carousel', 'where is my parcel', 'agent', 'bye', 'list'];
let liveN = 0;
function liveConversation() {
  const demo = channels.get('demo');
  const conv = conversation('demo');
  const txt = LIVE_LINES[liveN++ % LIVE_LINES.length];
  addTurn(conv, { kind: 'text', text: txt, attachments: 0 }, demoBot(conv, txt, demo));
  demo.lastGenesysContactAt = new Date().toISOString();
  return conv;
}

function summaryOf(conv) {
  const turns = conv.turns.filter((t) => !t.kind);
  const last = turns.at(-1);
  return {
    channelId: conv.channelId,
    botSessionId: conv.botSessionId,
    genesysConversationId: conv.genesysConversationId,
    lastActivityAt: conv.lastActivityAt,
    turns: turns.length,
    outcome: last?.outcome ?? 'reply',
    ...(last?.handoffReason ? { handoffReason: last.handoffReason } : {}),
    status: conv.status,
  };
}

// ---------------------------------------------------------------------------------------------
// Notifications

const notifications = new Map();
const idempotency = new Map();

function createNotification(c, body) {
  const details = [];
  if (typeof body.idempotencyKey !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(body.idempotencyKey)) details.push('idempotencyKey: 1-200 printable ASCII characters without spaces');
  const t = body.target ?? {};
  if ((t.botSessionId === undefined) === (t.address === undefined)) details.push('target: exactly one of "botSessionId" or "address"');
  if (t.address) {
    if (!['sms', 'whatsapp', 'open'].includes(t.address.messengerType)) details.push('target.address.messengerType: sms, whatsapp or open');
    if (!t.address.to) details.push('target.address.to: required');
    if (t.address.messengerType === 'whatsapp' && !body.template?.responseId) details.push('template: WhatsApp needs a pre-approved template {responseId, bodyParameters}');
    if (t.address.messengerType !== 'whatsapp' && !body.text) details.push('text: required');
  }
  if (t.botSessionId !== undefined && !body.text && !body.messages) details.push('text: required');
  if (details.length) throw bad('the notification was refused', details);
  if (!c.oauth) throw bad(`channel "${c.id}" has no genesys.oauth configuration; notifications are sent through the Genesys API`);
  const key = `${c.id}/${body.idempotencyKey}`;
  if (idempotency.has(key)) return { created: false, n: notifications.get(idempotency.get(key)) };
  const now = new Date().toISOString();
  const n = {
    id: randomUUID(),
    channelId: c.id,
    target: t.botSessionId !== undefined ? { kind: 'session', botSessionId: t.botSessionId } : { kind: 'address', messengerType: t.address.messengerType, to: t.address.to, from: t.address.from ?? `default-${t.address.messengerType}`, useExistingActiveConversation: !!t.address.useExistingActiveConversation },
    ...(body.text ? { text: body.text } : {}),
    ...(body.template ? { template: body.template } : {}),
    status: 'queued',
    createdAt: now,
    updatedAt: now,
    attempts: 0,
  };
  notifications.set(n.id, n);
  idempotency.set(key, n.id);
  const fail = t.botSessionId !== undefined ? ![...conversations.values()].some((cv) => cv.botSessionId === t.botSessionId && cv.status === 'open') : String(t.address.to).includes('fail');
  setTimeout(() => Object.assign(n, { status: 'sending', attempts: 1, updatedAt: new Date().toISOString() }), 800);
  setTimeout(() => {
    if (fail) Object.assign(n, { status: 'failed', updatedAt: new Date().toISOString(), genesys: { status: 409, code: 'conversation.closed' }, error: t.botSessionId !== undefined ? 'the bot session is not open (409 from Genesys)' : 'Genesys refused the address (400 invalid.destination)' });
    else {
      Object.assign(n, { status: 'sent', updatedAt: new Date().toISOString(), genesys: { status: 202, messageId: randomUUID(), conversationId: randomUUID() } });
      if (t.botSessionId !== undefined) {
        const conv = [...conversations.values()].find((cv) => cv.botSessionId === t.botSessionId);
        conv?.turns.push({ kind: 'notification', turnId: n.id, at: n.updatedAt, replies: [{ type: 'Text', text: body.text ?? '(messages)' }], degradations: [], late: false });
      }
    }
  }, 2400);
  return { created: true, n };
}

// ---------------------------------------------------------------------------------------------
// OAuth (fake Genesys consent)

const oauthStates = new Map(); // state -> { channelId, at }

function consentPage(state, c) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Genesys Cloud (mock) – authorize</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}a{display:inline-block;margin:.5rem .5rem 0 0;padding:.5rem 1rem;border:1px solid #0b5cad;border-radius:6px;text-decoration:none}</style></head>
<body><main><h1>Genesys Cloud (mock)</h1><p>The application <strong>${esc(c.oauth.clientId)}</strong> asks for access to your organization (scopes: ${esc(c.oauth.scopes.join(', '))}).</p>
<p><a id="approve" href="/oauth/genesys/callback?code=${esc(randomUUID())}&amp;state=${esc(state)}">Approve</a>
<a id="deny" href="/oauth/genesys/callback?error=access_denied&amp;state=${esc(state)}">Deny</a></p></main></body></html>`;
}

function callbackPage(title, message, channelId) {
  const back = channelId ? `/console/channels/${encodeURIComponent(channelId)}` : '/console/';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head>
<body><main><h1>${esc(title)}</h1><p>${esc(message)}</p><p><a href="${esc(back)}">Back to the console</a></p></main></body></html>`;
}

// ---------------------------------------------------------------------------------------------
// Dashboard

let turnsServed = 0;
function dashboard(minutes) {
  const m = Math.max(1, Math.min(1440, Number(minutes) || 60));
  const now = Math.floor(Date.now() / 60_000);
  const series = [];
  for (let i = m - 1; i >= 0; i--) {
    const k = now - i;
    const wave = Math.sin(k / 7) * 0.5 + 0.5;
    const turns = Math.round(20 + wave * 40 + ((k * 7919) % 13));
    const p50 = Math.round(180 + wave * 120 + ((k * 31) % 40));
    series.push({
      minute: new Date(k * 60_000).toISOString(),
      turns: i === 0 ? Math.round(turns / 2) + turnsServed : turns,
      handoffs: Math.round(turns * 0.08),
      deadlineMisses: k % 17 === 0 ? 2 : k % 11 === 0 ? 1 : 0,
      p50Ms: p50,
      p95Ms: Math.round(p50 * 2.6 + ((k * 17) % 300)),
    });
  }
  return { series, handoffsByReason: { customer_request: 14, bot_request: 9, repeated_fallback: 6, bot_error: 2, deadline: 1 }, queueDepth: 3, workersOnline: 2 };
}

// ---------------------------------------------------------------------------------------------
// Router

const routes = [];
const route = (method, pattern, handler, opts = {}) => {
  const keys = [];
  const re = new RegExp(`^${pattern.replace(/:([a-zA-Z]+)/g, (_, k) => (keys.push(k), '([^/]+)'))}$`);
  routes.push({ method, re, keys, handler, ...opts });
};

route('POST', '/api/auth/login', async (req, res) => {
  const body = await readJson(req);
  const username = String(body.username ?? '');
  const f = failures.get(username);
  if (f && f.count >= 5 && f.until > Date.now()) {
    throw Object.assign(new HttpError(429, 'rate_limited', 'too many failed logins; wait and try again'), { retryAfter: Math.ceil((f.until - Date.now()) / 1000) });
  }
  if (username !== USER || body.password !== PASSWORD) {
    const n = (f?.until > Date.now() ? f.count : 0) + 1;
    failures.set(username, { count: n, until: Date.now() + 60_000 });
    throw new HttpError(401, 'invalid_credentials', 'wrong username or password');
  }
  failures.delete(username);
  const sid = randomBytes(24).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  sessions.set(sid, { username, csrfToken });
  send(res, 200, { user: { username }, csrfToken }, { 'set-cookie': `gbg_session=${sid}; HttpOnly; SameSite=Strict; Path=/` });
}, { public: true });

route('POST', '/api/auth/logout', async (req, res, _p, who) => {
  if (who.sid) sessions.delete(who.sid);
  res.writeHead(204, { 'set-cookie': 'gbg_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0' });
  res.end();
});

route('GET', '/api/auth/me', async (_req, res, _p, who) => send(res, 200, { user: who.user, ...(who.session ? { csrfToken: who.session.csrfToken } : {}) }));

route('GET', '/api/channels', async (_req, res) => send(res, 200, { entities: [...channels.values()].map(summary) }));

route('POST', '/api/channels', async (req, res) => {
  const body = await readJson(req);
  const details = [];
  if (typeof body.id !== 'string' || !ID.test(body.id)) details.push('id: 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit');
  const env = normalizeEnv(body.environment);
  if (!env) details.push(`environment: "${body.environment ?? ''}" is not a known Genesys Cloud region`);
  if (details.length) throw bad('the channel was not created', details);
  if (channels.has(body.id)) throw conflict(`a channel "${body.id}" already exists`);
  const c = newChannel({ id: body.id, name: typeof body.name === 'string' ? body.name.trim() : '', environment: env, bots: body.bots });
  channels.set(c.id, c);
  send(res, 201, view(c));
});

route('GET', '/api/channels/:id', async (_req, res, p) => send(res, 200, view(getChannel(p.id))));
route('PATCH', '/api/channels/:id', async (req, res, p) => {
  const c = changeable(p.id);
  applyPatch(c, await readJson(req));
  send(res, 200, view(c));
});
route('DELETE', '/api/channels/:id', async (_req, res, p) => {
  changeable(p.id);
  channels.delete(p.id);
  res.writeHead(204);
  res.end();
});
route('POST', '/api/channels/:id/enable', async (_req, res, p) => {
  const c = changeable(p.id);
  if (!c.app.secrets.length) throw conflict('the channel has no app secret: create one (and paste the credential into Genesys) before enabling it');
  c.enabled = true;
  send(res, 200, view(c));
});
route('POST', '/api/channels/:id/disable', async (_req, res, p) => {
  const c = changeable(p.id);
  c.enabled = false;
  send(res, 200, view(c));
});
route('POST', '/api/channels/:id/app/secrets', async (_req, res, p) => {
  const c = changeable(p.id);
  if (c.app.secrets.length >= 5) throw conflict('a channel keeps at most 5 app secrets; revoke one first');
  const secret = randomBytes(32).toString('base64url');
  const fp = fingerprint(secret);
  c.app.secrets.push({ fingerprint: fp, secret });
  send(res, 201, { clientId: c.app.clientId, clientSecret: secret, fingerprint: fp, credential: { fieldName: 'Authorization', value: `bearer ${jwt(c.app.clientId, secret)}` } });
});
route('DELETE', '/api/channels/:id/app/secrets/:fp', async (_req, res, p) => {
  const c = changeable(p.id);
  if (!c.app.secrets.some((s) => s.fingerprint === p.fp)) throw notFound(`no app secret with fingerprint ${p.fp}`);
  if (c.app.secrets.length === 1 && c.enabled) throw conflict('this is the last app secret and the channel is enabled');
  c.app.secrets = c.app.secrets.filter((s) => s.fingerprint !== p.fp);
  send(res, 200, view(c));
});
route('POST', '/api/channels/:id/dbc/secret', async (req, res, p) => {
  const c = changeable(p.id);
  const body = await readJson(req);
  const details = [];
  if (body.secretHeader !== undefined && !/^[A-Za-z0-9-]{1,100}$/.test(body.secretHeader)) details.push('secretHeader: a header name (letters, digits, "-")');
  if (body.inlineWindowMs !== undefined && !(Number.isInteger(body.inlineWindowMs) && body.inlineWindowMs >= 0 && body.inlineWindowMs <= 25000)) details.push('inlineWindowMs: 0-25000');
  if (details.length) throw bad('no secret was generated', details);
  const secret = randomBytes(32).toString('base64url');
  c.dbc = { secretHeader: body.secretHeader ?? c.dbc?.secretHeader ?? 'X-Connection-Secret', secret, inlineWindowMs: body.inlineWindowMs ?? c.dbc?.inlineWindowMs ?? 800 };
  send(res, 201, { secretHeader: c.dbc.secretHeader, secret });
});
/** The providers the real gateway registers out of the box (GET /api/bot-providers). */
const BOT_PROVIDERS = [
  { name: 'demo', title: 'The built-in demo bot', fields: [], secrets: [] },
  {
    name: 'http',
    title: 'Your own HTTP service speaking the gateway’s canonical JSON',
    docs: 'docs/http-bot-provider.md',
    fields: [
      { key: 'url', label: 'Bot URL', kind: 'url', required: true, placeholder: 'https://bot.example.com/turn', help: 'Receives each canonical turn as a POST and answers a BotResult.' },
      { key: 'headers', label: 'Headers', kind: 'map', help: 'Sent with every call, e.g. Authorization. Write-only.' },
    ],
    secrets: ['headers'],
  },
];
route('GET', '/api/bot-providers', async (_req, res) => send(res, 200, { entities: BOT_PROVIDERS }));

/** Like the gateway: a bot keeping its provider merges the given config (null removes); secrets are never shown back. */
function withProviderConfig(c, b) {
  const before = c.bots.find((x) => x.id === b.id && x.provider?.name === b.provider?.name);
  const merge = (target, patch) => {
    const out = { ...target };
    for (const [k, v] of Object.entries(patch ?? {})) {
      if (v === null) delete out[k];
      else if (v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object') out[k] = merge(out[k], v);
      else out[k] = v;
    }
    return out;
  };
  const { secretsSet: _shown, url: _url, ...provider } = b.provider;
  const config = merge(before?.provider?.storedConfig ?? before?.provider?.config ?? {}, provider.config);
  const secrets = BOT_PROVIDERS.find((p) => p.name === provider.name)?.secrets ?? [];
  const visible = Object.fromEntries(Object.entries(config).filter(([k]) => !secrets.includes(k)));
  return { ...b, provider: { ...provider, config: visible, storedConfig: config, secretsSet: secrets.filter((k) => k in config) } };
}

route('GET', '/api/channels/:id/status', async (_req, res, p) => {
  const c = getChannel(p.id);
  send(res, 200, { channelId: c.id, steps: steps(c), lastGenesysContactAt: c.lastGenesysContactAt, lastPublish: c.lastPublish && { at: c.lastPublish.at, ok: c.lastPublish.ok, ...(c.lastPublish.error ? { error: c.lastPublish.error } : {}) }, oauth: oauthStatus(c), lastError: c.lastError });
});
route('POST', '/api/channels/:id/doctor', async (_req, res, p) => {
  const c = getChannel(p.id);
  const drift = c.genesysBots ? botListDrift(botList(c), c.genesysBots) : null;
  const checks = [
    { id: 'region', title: 'Genesys region', ok: !!c.environment, detail: `login.${c.environment} answers`, fix: 'Set the region in step 1.' },
    { id: 'app-secret', title: 'App credential', ok: c.app.secrets.length > 0, detail: `${c.app.secrets.length} app secret(s)`, fix: 'Create an app secret (step 2) and paste the credential (Field Name Authorization, value bearer <JWT>) into the integration’s Credentials.' },
    { id: 'oauth-configured', title: 'OAuth client configured', ok: !!c.oauth, detail: c.oauth ? `client ${c.oauth.clientId} (${c.oauth.grant})` : 'none', fix: 'Create an OAuth client in Genesys (Admin > Integrations > OAuth) and enter its id and secret in step 3.' },
    { id: 'oauth-connected', title: 'Connected to Genesys Cloud', ok: !!c.oauthToken, detail: c.oauthToken ? `token valid until ${c.oauthToken.expiresAt}` : 'no token', fix: c.oauth?.grant === 'client_credentials' ? 'Click Connect in step 3; check the client’s role has the Bot Connector permissions.' : 'Click Authorize in step 3 and approve in Genesys Cloud.' },
    { id: 'integration', title: 'Bot Connector integration found', ok: !!c.integrationId && !!c.oauthToken, detail: c.integrationId ? `integration ${c.integrationId}` : 'no integration id', fix: 'Copy the integration id from Admin > Integrations > your Bot Connector > Details into step 4.' },
    { id: 'bots-published', title: 'Bots published and in sync', ok: !!drift?.inSync, detail: drift ? (drift.inSync ? 'Genesys lists every configured bot and version' : 'the configured bots differ from what Genesys lists') : 'never published', fix: 'Publish in step 4 (add a new version if a published one changed).' },
    { id: 'enabled', title: 'Channel enabled', ok: c.enabled, detail: c.enabled ? 'enabled' : 'disabled: Genesys gets 403', fix: 'Enable the channel in step 5.' },
    { id: 'contact', title: 'Genesys has called the Webhook URL', ok: !!c.lastGenesysContactAt, detail: c.lastGenesysContactAt ? `last call ${c.lastGenesysContactAt}` : 'no authenticated call yet', fix: 'Check the Bot Connector Handle Utterance URI is the Webhook URL, the integration is Active, and an Architect flow calls the bot; then send a message in the Messenger.' },
  ].map(({ fix, ...rest }) => (rest.ok ? rest : { ...rest, fix }));
  send(res, 200, { checks });
});
route('POST', '/api/channels/:id/test-turn', async (req, res, p) => {
  const c = getChannel(p.id);
  const body = await readJson(req);
  if (!body.text && !body.quickReply) throw bad('send "text" or "quickReply"');
  if (!c.app.secrets.length) throw conflict('the channel has no app secret, so the gateway cannot call its own webhook; create one first');
  const started = Date.now();
  const conv = conversation(c.id, body.botSessionId || undefined);
  const text = body.quickReply ? body.quickReply.payload ?? body.quickReply.text : body.text;
  const inputMessage = body.quickReply
    ? { type: 'Structured', text: body.quickReply.text, content: [{ contentType: 'ButtonResponse', buttonResponse: { type: 'QuickReply', text: body.quickReply.text, payload: body.quickReply.payload } }] }
    : { type: 'Text', text: body.text };
  const request = { botId: c.bots[0]?.id, botVersion: c.bots[0]?.versions.at(-1), botSessionId: conv.botSessionId, messageId: randomUUID(), inputMessage, languageCode: c.defaultLanguage, genesysConversationId: conv.genesysConversationId };
  await new Promise((r) => setTimeout(r, 120 + Math.random() * 200));
  if (!c.enabled) {
    return send(res, 200, { request, response: null, status: 403, ms: Date.now() - started, botSessionId: conv.botSessionId });
  }
  const result = demoBot(conv, text, c);
  const { outcome: _o, handoffReason: _h, late: _l, ...response } = result;
  addTurn(conv, { kind: body.quickReply ? 'button' : 'text', text: body.quickReply ? body.quickReply.text : body.text, ...(body.quickReply ? { payload: body.quickReply.payload } : {}), attachments: 0 }, result);
  turnsServed++;
  c.lastGenesysContactAt = new Date().toISOString();
  send(res, 200, { request, response, status: 200, ms: Date.now() - started, botSessionId: conv.botSessionId });
});
route('GET', '/api/channels/:id/oauth/authorize', async (req, res, p, _who, url) => {
  const c = getChannel(p.id);
  if (!c.oauth) throw bad(`channel "${c.id}" has no genesys.oauth configuration`);
  if (c.oauth.grant !== 'authorization_code') throw bad(`channel "${c.id}" uses the client_credentials grant; POST /api/channels/${c.id}/oauth/connect instead`);
  const state = randomBytes(16).toString('base64url');
  oauthStates.set(state, { channelId: c.id, at: Date.now() });
  const target = `${BASE}/mock-genesys/authorize?client_id=${encodeURIComponent(c.oauth.clientId)}&state=${state}&redirect_uri=${encodeURIComponent(`${BASE}/oauth/genesys/callback`)}`;
  if (url.searchParams.get('format') === 'json') return send(res, 200, { url: target });
  res.writeHead(302, { location: target, 'cache-control': 'no-store' });
  res.end();
});
route('GET', '/api/channels/:id/oauth/status', async (_req, res, p) => send(res, 200, oauthStatus(getChannel(p.id))));
route('POST', '/api/channels/:id/oauth/connect', async (_req, res, p) => {
  const c = getChannel(p.id);
  if (!c.oauth) throw bad(`channel "${c.id}" has no genesys.oauth configuration`);
  if (c.oauth.grant !== 'client_credentials') throw bad(`channel "${c.id}" uses the authorization_code grant; open /api/channels/${c.id}/oauth/authorize instead`);
  if (c.oauth.clientSecret.includes('wrong')) throw new HttpError(502, 'upstream_error', 'Genesys refused the client credentials (401 invalid_client): check the client id and secret');
  c.oauthToken = { at: new Date().toISOString(), expiresAt: new Date(Date.now() + 86_400_000).toISOString(), scopes: c.oauth.scopes };
  send(res, 200, oauthStatus(c));
});
route('POST', '/api/channels/:id/publish', async (_req, res, p, _who, url) => {
  const c = getChannel(p.id);
  const flag = (k) => ['true', '1', ''].includes(url.searchParams.get(k) ?? 'x');
  send(res, 200, publish(c, { prune: flag('prune'), force: flag('force') }));
});
route('GET', '/api/channels/:id/publish', async (_req, res, p, _who, url) => {
  const c = getChannel(p.id);
  const refresh = ['true', '1'].includes(url.searchParams.get('refresh') ?? '');
  if (refresh && !c.integrationId) throw bad(`channel "${c.id}" has no genesys.integrationId`);
  if (refresh && !c.oauthToken) throw conflict(`channel "${c.id}" is not connected to Genesys Cloud; authorize it first`);
  send(res, 200, publishView(c, refresh ? 'genesys' : 'last_publish'));
});
route('POST', '/api/channels/:id/notifications', async (req, res, p) => {
  const c = getChannel(p.id);
  const { created, n } = createNotification(c, await readJson(req));
  send(res, created ? 202 : 200, n, { location: `/api/notifications/${n.id}` });
});
route('GET', '/api/notifications/:id', async (_req, res, p) => {
  const n = notifications.get(p.id);
  if (!n) throw notFound('no such notification');
  send(res, 200, n);
});
route('GET', '/api/conversations', async (_req, res, _p, _who, url) => {
  const q = url.searchParams;
  const limit = Math.min(200, Math.max(1, Number(q.get('limit') ?? 50) || 50));
  const from = q.get('from') ? Date.parse(q.get('from')) : -Infinity;
  const to = q.get('to') ? Date.parse(q.get('to')) : Infinity;
  if (Number.isNaN(from) || Number.isNaN(to)) throw bad('from and to must be ISO dates');
  const before = q.get('before');
  let all = [...conversations.values()]
    .map(summaryOf)
    .filter((s) => (!q.get('channelId') || s.channelId === q.get('channelId')) && (!q.get('outcome') || s.outcome === q.get('outcome')))
    .filter((s) => Date.parse(s.lastActivityAt) >= from && Date.parse(s.lastActivityAt) <= to)
    .sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt) || a.botSessionId.localeCompare(b.botSessionId));
  if (before) {
    const [at, sid] = Buffer.from(before, 'base64url').toString().split('|');
    all = all.filter((s) => s.lastActivityAt < at || (s.lastActivityAt === at && s.botSessionId > sid));
  }
  const page = all.slice(0, limit);
  const last = page.at(-1);
  send(res, 200, { entities: page, ...(all.length > limit && last ? { next: Buffer.from(`${last.lastActivityAt}|${last.botSessionId}`).toString('base64url') } : {}) });
});
route('GET', '/api/conversations/:sid', async (_req, res, p, _who, url) => {
  const ch = url.searchParams.get('channelId');
  const conv = [...conversations.values()].find((c) => c.botSessionId === p.sid && (!ch || c.channelId === ch));
  if (!conv) throw notFound('no transcript for that bot session');
  // Paged like the gateway: the cursor is a position among all entries (the mock never trims).
  const limit = Number(url.searchParams.get('limit') ?? 100);
  const cursor = url.searchParams.get('cursor');
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw bad('limit must be 1-500');
  if (cursor !== null && !/^\d{1,15}$/.test(cursor)) throw bad('cursor must be the `next` of a previous page');
  const from = Number(cursor ?? 0);
  const end = Math.min(from + limit, conv.turns.length);
  send(res, 200, {
    channelId: conv.channelId,
    botSessionId: conv.botSessionId,
    genesysConversationId: conv.genesysConversationId,
    status: conv.status,
    turns: conv.turns.slice(from, end).map((t) => ({ ...t, channelId: conv.channelId, botSessionId: conv.botSessionId })),
    kept: conv.turns.length,
    trimmed: 0,
    ...(end < conv.turns.length ? { next: String(end) } : {}),
  });
});
route('DELETE', '/api/conversations/:sid', async (_req, res, p, _who, url) => {
  const ch = url.searchParams.get('channelId');
  const keys = [...conversations.entries()].filter(([, c]) => c.botSessionId === p.sid && (!ch || c.channelId === ch)).map(([k]) => k);
  if (!keys.length) throw notFound('nothing is stored for that conversation');
  for (const k of keys) conversations.delete(k);
  res.writeHead(204);
  res.end();
});
route('GET', '/api/dashboard', async (_req, res, _p, _who, url) => send(res, 200, dashboard(url.searchParams.get('minutes'))));
route('GET', '/api/audit', async (_req, res) => send(res, 200, { entities: [] }));

// ---------------------------------------------------------------------------------------------
// Static: the built console, mock images, OAuth pages

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.map': 'application/json' };

function serveConsole(req, res, pathname) {
  if (!existsSync(join(DIST, 'index.html'))) return html(res, 503, '<!doctype html><title>not built</title><p>Build the console first: npx vite build --config apps/console/vite.config.ts</p>');
  if (pathname.startsWith('/console/assets/')) {
    const file = normalize(join(DIST, pathname.slice('/console/'.length)));
    if (!file.startsWith(DIST) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'public, max-age=31536000, immutable' });
    return res.end(readFileSync(file));
  }
  // Same shape as the ingress: every other /console path is the app shell.
  html(res, 200, readFileSync(join(DIST, 'index.html'), 'utf8'), { 'content-security-policy': "default-src 'self'; img-src 'self' https: http://127.0.0.1:* data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'", 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin' });
}

const PICTURES = { shoe: '#0b5cad', sneaker: '#6b3fa0', boot: '#17663a', map: '#b35900' };
function serveImage(res, name) {
  const color = PICTURES[name] ?? '#4f5866';
  res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=3600' });
  res.end(`<svg xmlns="http://www.w3.org/2000/svg" width="320" height="180" viewBox="0 0 320 180"><rect width="320" height="180" fill="${color}"/><circle cx="160" cy="90" r="58" fill="#ffffff33"/><text x="160" y="100" font-family="sans-serif" font-size="28" font-weight="bold" text-anchor="middle" fill="#fff">${esc(name)}</text></svg>`);
}

// ---------------------------------------------------------------------------------------------

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', BASE);
  const pathname = url.pathname;
  if (LOG) console.log(req.method, req.url);
  try {
    if (pathname === '/' || pathname === '/console') {
      res.writeHead(302, { location: '/console/' });
      return res.end();
    }
    if (pathname.startsWith('/console/')) return serveConsole(req, res, pathname);
    if (pathname.startsWith('/mock-assets/')) return serveImage(res, pathname.slice('/mock-assets/'.length).replace(/\.svg$/, ''));
    if (pathname === '/mock-genesys/authorize') {
      const st = oauthStates.get(url.searchParams.get('state') ?? '');
      if (!st) return html(res, 400, callbackPage('Authorization failed', 'Unknown or expired state.'));
      return html(res, 200, consentPage(url.searchParams.get('state'), getChannel(st.channelId)));
    }
    if (pathname === '/oauth/genesys/callback') {
      const state = url.searchParams.get('state') ?? '';
      const st = oauthStates.get(state);
      oauthStates.delete(state);
      if (!st) return html(res, 400, callbackPage('Authorization failed', 'This authorization link was already used or expired. Start the authorization again from the gateway.'));
      const c = channels.get(st.channelId);
      if (url.searchParams.get('error') === 'access_denied') return html(res, 400, callbackPage('Authorization denied', `Consent was denied in Genesys Cloud, so channel ${st.channelId} was not connected. Start the authorization again and approve it.`, st.channelId));
      c.oauthToken = { at: new Date().toISOString(), expiresAt: new Date(Date.now() + 86_400_000).toISOString(), scopes: c.oauth.scopes };
      return html(res, 200, callbackPage('Connected', `Channel ${c.name} (${c.id}) is connected to Genesys Cloud (org Mock Org).`, c.id));
    }
    if (pathname === '/__mock/conversation' && req.method === 'POST') {
      const conv = liveConversation();
      return send(res, 201, summaryOf(conv));
    }
    if (pathname.startsWith('/api/')) {
      for (const r of routes) {
        if (r.method !== req.method) continue;
        const m = r.re.exec(pathname);
        if (!m) continue;
        const params = Object.fromEntries(r.keys.map((k, i) => [k, decodeURIComponent(m[i + 1])]));
        let who = null;
        if (!r.public) {
          who = authenticate(req);
          checkCsrf(req, who);
        }
        return await r.handler(req, res, params, who, url);
      }
      throw notFound(`no route ${req.method} ${pathname}`);
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  } catch (e) {
    if (e instanceof HttpError) {
      return send(res, e.status, { error: { code: e.code, message: e.message, ...(e.details?.length ? { details: e.details } : {}) } }, e.retryAfter ? { 'retry-after': String(e.retryAfter) } : {});
    }
    console.error(e);
    send(res, 500, { error: { code: 'internal', message: 'internal error (see the mock server log)' } });
  }
});

server.listen(PORT, HOST, () => {
  console.log(`mock admin API on ${BASE} — console at ${BASE}/console/ (user ${USER}, password ${PASSWORD}); bearer ${ADMIN_TOKEN}`);
});
if (LIVE) setInterval(liveConversation, 4000).unref();
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
