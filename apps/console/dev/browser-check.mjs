#!/usr/bin/env node
// Clicks through the console in headless Chromium against the mock API, takes a screenshot of
// every page and runs axe-core on each. Needs Debian's chromium (/usr/bin/chromium) and
// `npm install --no-save playwright-core@1 axe-core@4`; never downloads a browser.
//
//   npx vite build --config apps/console/vite.config.ts
//   MOCK_LIVE=0 node apps/console/dev/mock-api.mjs &
//   node apps/console/dev/browser-check.mjs            # CONSOLE_URL=http://127.0.0.1:3100 SHOTS=/tmp/console-shots
//
// Exits non-zero when a step fails or axe finds a violation.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// Without CONSOLE_URL, start a fresh mock server (MOCK_LIVE=0) on a free port, and stop it at the end.
let mockProcess = null;
async function freePort() {
  return new Promise((res) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}
async function startMock() {
  const port = await freePort();
  mockProcess = spawn(process.execPath, [fileURLToPath(new URL('./mock-api.mjs', import.meta.url))], { env: { ...process.env, MOCK_PORT: String(port), MOCK_LIVE: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((res, rej) => {
    mockProcess.stdout.on('data', (d) => String(d).includes('mock admin API on') && res());
    mockProcess.on('exit', (code) => rej(new Error(`mock server exited ${code}`)));
  });
  return `http://127.0.0.1:${port}`;
}
const BASE = process.env.CONSOLE_URL ?? (await startMock());
const SHOTS = process.env.SHOTS ?? '/tmp/console-shots';
const USER = process.env.MOCK_USER ?? 'admin';
const PASSWORD = process.env.MOCK_PASSWORD ?? 'admin-password';
mkdirSync(SHOTS, { recursive: true });

const profile = mkdtempSync(join(tmpdir(), 'console-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
  bypassCSP: true, // only so axe can be injected; the app itself runs under the server's CSP otherwise
  permissions: ['clipboard-read', 'clipboard-write'],
});
const page = context.pages()[0] ?? (await context.newPage());
const consoleErrors = [];
page.on('console', (m) => {
  if (m.type() === 'error') consoleErrors.push(m.text());
});
page.on('pageerror', (e) => consoleErrors.push(String(e)));

const results = [];
let failures = 0;
const tid = (id) => page.getByTestId(id);

async function step(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${e.message.split('\n')[0]}`);
    await page.screenshot({ path: join(SHOTS, `FAIL-${name.replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => {});
  }
}

async function expect(cond, msg) {
  if (!(await cond)) throw new Error(msg);
}

async function shot(name, fullPage = true) {
  await page.waitForTimeout(150);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

async function axe(name) {
  await page.evaluate(AXE);
  const r = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const res = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
    return res.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' — ' + n.failureSummary?.split('\n')[1]?.trim()) }));
  });
  results.push({ page: name, violations: r });
  if (r.length) {
    failures++;
    console.log(`AXE  ${name}: ${r.length} violation(s)`);
    for (const v of r) console.log(`     ${v.id} (${v.impact}): ${v.help}\n       ${v.nodes.join('\n       ')}`);
  } else console.log(`axe  ${name}: 0 violations`);
}

async function mock(path) {
  const res = await fetch(`${BASE}${path}`, { method: 'POST' });
  return res.json();
}

// ------------------------------------------------------------------------------------------

await step('signed-out visit goes to login', async () => {
  await page.goto(`${BASE}/console/channels`);
  await tid('login-form').waitFor();
  await expect(page.url().endsWith('/console/login'), `url is ${page.url()}`);
});
await shot('01-login');
await axe('login');

await step('wrong password shows an alert', async () => {
  await tid('login-username').fill(USER);
  await tid('login-password').fill('nope');
  await tid('login-password').press('Enter');
  await page.locator('[data-testid=login-error] .notice').waitFor();
  await expect((await tid('login-error').getAttribute('role')) === 'alert', 'no role=alert');
});
await shot('02-login-error');
await axe('login with error');

await step('login with Enter lands on channels', async () => {
  await tid('login-password').fill(PASSWORD);
  await tid('login-password').press('Enter');
  await tid('channels-table').waitFor();
  await expect(page.url().endsWith('/console/channels'), `url is ${page.url()}`);
});
await shot('03-channels');
await axe('channels');

await step('csrf token kept in sessionStorage only; nothing in localStorage', async () => {
  const s = await page.evaluate(() => ({ local: { ...localStorage }, session: Object.keys(sessionStorage) }));
  await expect(Object.keys(s.local).length === 0, `localStorage has ${Object.keys(s.local)}`);
  await expect(s.session.length === 1 && s.session[0] === 'gbg-console-csrf', `sessionStorage has ${s.session}`);
});

await step('keyboard: skip link is the first tab stop', async () => {
  await page.reload();
  await tid('channels-table').waitFor();
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
  await expect(focused === 'Skip to main content', `first focus: ${focused}`);
});

await step('new channel form creates and opens the setup page', async () => {
  await tid('new-channel-id').fill('acme');
  await tid('new-channel-name').fill('ACME support');
  await tid('new-channel-region').fill('https://login.mypurecloud.ie');
  await tid('new-channel-region').press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Set up ACME support' }).waitFor();
  await tid('step-app-done').waitFor();
});
await shot('04-setup-new');
await axe('setup (new channel)');

await step('region accepts a bare domain', async () => {
  await tid('region-input').fill('apps.mypurecloud.de');
  await tid('region-save').click();
  await page.getByText('Saved: mypurecloud.de').waitFor();
});

await step('create app secret shows the credential once', async () => {
  await tid('create-app-secret').click();
  await tid('app-secret-shown').waitFor();
  const v = await tid('credential-value').textContent();
  await expect(v.startsWith('bearer ey'), `credential ${v.slice(0, 12)}`);
  await expect((await tid('credential-field-name').textContent()) === 'Authorization', 'field name');
  await tid('credential-value-copy').click();
  const clip = await page.evaluate(() => navigator.clipboard.readText()).catch(() => '');
  await expect(clip === v, 'clipboard has the credential');
  await page.waitForFunction(() => document.querySelector('[data-testid=step-app-done]')?.getAttribute('data-done') === 'true');
});
await shot('05-app-secret-shown');
await axe('setup with shown-once secret');

await step('secret not kept anywhere in the browser', async () => {
  const v = await tid('credential-value').textContent();
  const found = await page.evaluate((jwt) => JSON.stringify({ ...localStorage }).includes(jwt) || JSON.stringify({ ...sessionStorage }).includes(jwt) || location.href.includes(jwt), v.slice(7));
  await expect(!found, 'secret found in storage or URL');
});

await step('oauth client saved, authorize round trip through the (mock) Genesys consent', async () => {
  await tid('oauth-client-id').fill('acme-oauth-client');
  await tid('oauth-client-secret').fill('super-secret-value-123');
  await tid('oauth-scope-conversations').check();
  await tid('oauth-save').click();
  await page.getByText('OAuth client saved.').waitFor();
  await tid('oauth-authorize').click();
  await page.locator('#approve').waitFor();
  await shot('06-mock-genesys-consent', false);
  await page.locator('#approve').click();
  await page.getByRole('heading', { name: 'Connected' }).waitFor();
  await shot('07-oauth-callback', false);
  await page.getByRole('link', { name: 'Back to the console' }).click();
  await tid('oauth-status').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid=oauth-status]')?.getAttribute('data-connected') === 'true');
});

await step('shown-once secret is gone after leaving the page', async () => {
  await expect((await tid('app-secret-shown').count()) === 0, 'still shown');
  await expect((await page.locator('[data-testid=app-secret]').count()) === 1, 'secret listed by fingerprint');
});

await step('bots: integration id, add intent, save, publish', async () => {
  await tid('integration-id').fill('7d1e6a40-0000-4000-8000-00000000acme');
  await tid('integration-save').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=integration-save]')?.disabled === true);
  await tid('bot-intent-add').click();
  await page.locator('[data-testid=bot-intent-name]').last().fill('Billing');
  await tid('bots-save').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=bots-save]')?.disabled === true);
  await tid('publish-button').click();
  await page.getByText('Bot list published to Genesys Cloud.').waitFor();
  await tid('publish-drift').waitFor();
});

await step('changed intents on a published version: 409 explained, add version, publish', async () => {
  await tid('bot-intent-add').click();
  await page.locator('[data-testid=bot-intent-name]').last().fill('Returns');
  await tid('bots-save').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=bots-save]')?.disabled === true);
  await tid('publish-button').click();
  await tid('publish-conflict').waitFor();
  await shot('08-publish-conflict');
  await tid('publish-conflict-add-version').click();
  await expect((await tid('bot-versions').inputValue()) === '1.1', `versions ${await tid('bot-versions').inputValue()}`);
  await tid('bots-save').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=bots-save]')?.disabled === true);
  await tid('publish-button').click();
  await page.getByText('Bot list published to Genesys Cloud.').waitFor();
  // 1.0 stays in Genesys (flows that use it keep working): drift lists it as no longer configured.
  await page.getByText('bot1 1.0').first().waitFor();
});
await axe('setup after publish');

await step('enable the channel', async () => {
  await tid('enable-toggle').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=enable-toggle]')?.getAttribute('aria-checked') === 'true');
  await page.waitForFunction(() => document.querySelector('[data-testid=progress-enabled]')?.getAttribute('data-done') === 'true');
});

await step('setup doctor shows checks and fixes', async () => {
  await tid('doctor-run').click();
  await tid('doctor-checks').waitFor();
  const n = await page.locator('[data-testid=doctor-check]').count();
  const failed = await page.locator('[data-testid=doctor-check][data-ok=false]').count();
  const fixes = await tid('doctor-fix').count();
  await expect(n >= 5 && fixes === failed, `checks ${n}, failed ${failed}, fixes ${fixes}`);
});

await step('v2 secret generated once', async () => {
  await tid('dbc-generate').click();
  await tid('dbc-secret-shown').waitFor();
  await tid('dbc-url').waitFor();
});

await step('test panel: text and a clicked quick reply', async () => {
  await tid('test-input').fill('hi');
  await tid('test-input').press('Enter');
  await page.locator('[data-testid=test-panel] [data-testid=msg-quick-reply]').first().waitFor();
  await page.locator('[data-testid=test-panel] button[data-testid=msg-quick-reply]', { hasText: 'Carousel' }).click();
  await page.locator('[data-testid=test-panel] [data-testid=msg-carousel]').waitFor();
  await page.locator('[data-testid=test-panel] button[data-testid=msg-postback-button]').first().waitFor();
});
await shot('09-setup-complete');
await axe('setup (complete, test panel)');
await page.locator('[data-testid=test-panel]').screenshot({ path: join(SHOTS, '10-test-panel.png') });

await step('conversations list, live refresh announces new rows', async () => {
  await tid('nav-conversations').click();
  await tid('conversations-table').waitFor();
  await shot('11-conversations');
  const before = await page.locator('[data-testid=conversation-row]').count();
  const created = await mock('/__mock/conversation');
  await page.locator(`[data-testid=conversation-row][data-session-id="${created.botSessionId}"]`).waitFor({ timeout: 8000 });
  await page.waitForFunction(() => /new conversation/.test(document.querySelector('[data-testid=conversations-live]')?.textContent ?? ''));
  const after = await page.locator('[data-testid=conversation-row]').count();
  await expect(after === before + 1, `rows ${before} -> ${after}`);
});
await shot('12-conversations-new-row');
await axe('conversations');

await step('filters by outcome', async () => {
  await tid('filter-outcome').selectOption('handoff');
  await tid('filter-apply').click();
  await page.waitForFunction(() => location.search.includes('outcome=handoff'));
  await page.waitForTimeout(300);
  const outcomes = await page.locator('[data-testid=conversation-row] .badge').allTextContents();
  await expect(outcomes.length > 0 && outcomes.every((o) => o.startsWith('handoff') || o === 'new'), `outcomes ${outcomes}`);
  await tid('filter-clear').click();
});

await step('transcript renders every kind', async () => {
  await page.goto(`${BASE}/console/conversations/a1b2c3d4-0000-4000-8000-000000000001?channelId=demo`);
  await tid('transcript').waitFor();
  for (const id of ['msg-quick-replies', 'msg-card', 'msg-carousel', 'msg-attachment-image', 'msg-attachment-file', 'msg-list', 'marker-handoff', 'marker-degradations', 'marker-delivered-late', 'marker-notification', 'marker-outgoing-failed']) {
    await expect((await tid(id).count()) > 0, `missing ${id}`);
  }
});
await shot('13-transcript');
await axe('transcript');

await step('dashboard charts with text alternatives', async () => {
  await tid('nav-dashboard').click();
  await tid('chart-turns').waitFor();
  await expect((await page.locator('svg[role=img] desc').count()) >= 3, 'descs');
});
await shot('14-dashboard');
await axe('dashboard');

await step('notifications: address (sms) and session, status polled to the end', async () => {
  await tid('nav-notifications').click();
  await tid('notification-form').waitFor();
  await tid('notification-channel').selectOption('demo');
  await tid('notification-target-address').check();
  await tid('notification-to').fill('+353861234567');
  await tid('notification-text').fill('Your parcel arrives today.');
  await tid('notification-send').click();
  await page.locator('[data-testid=notification-item][data-status=sent]').waitFor({ timeout: 8000 });
  await tid('notification-messenger').selectOption('whatsapp');
  await tid('notification-template').waitFor();
  await tid('notification-to').fill('+353860000fail');
  await tid('notification-template-id').fill('order_shipped');
  await page.locator('[data-testid=notification-param-value]').first().fill('1042');
  await tid('notification-send').click();
  await page.locator('[data-testid=notification-item][data-status=failed]').waitFor({ timeout: 8000 });
});
await shot('15-notifications');
await axe('notifications');

const noSideScroll = async (where) => {
  await page.waitForTimeout(300);
  const [sw, cw] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  await expect(sw <= cw, `${where}: page scrolls sideways (${sw} > ${cw})`);
};
await step('narrow window: no sideways scrolling', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await tid('nav-channels').click();
  await tid('channels-table').waitFor();
  await noSideScroll('channels');
  await shot('16-narrow-channels');
  await page.goto(`${BASE}/console/channels/demo`);
  await tid('step-webhook-check').waitFor();
  await noSideScroll('setup');
  await shot('17-narrow-setup', false);
  for (const p of ['conversations', 'dashboard', 'notifications']) {
    await tid(`nav-${p}`).click();
    await page.locator('main h1').waitFor();
    await noSideScroll(p);
  }
  await page.goto(`${BASE}/console/conversations/a1b2c3d4-0000-4000-8000-000000000001?channelId=demo`);
  await tid('transcript').waitFor();
  await noSideScroll('transcript');
  await shot('18-narrow-transcript', false);
  await axe('transcript (narrow)');
  await page.setViewportSize({ width: 1280, height: 900 });
});

await step('a 401 from the API goes back to login, then back to the page', async () => {
  await context.clearCookies();
  await page.goto(`${BASE}/console/dashboard`);
  await tid('login-form').waitFor();
  await tid('login-username').fill(USER);
  await tid('login-password').fill(PASSWORD);
  await tid('login-submit').click();
  await tid('chart-turns').waitFor();
  // Session ends while on a page: the next poll gets 401.
  await context.clearCookies();
  await tid('nav-conversations').click();
  await tid('login-form').waitFor({ timeout: 8000 });
  await tid('login-notice').waitFor();
});

await step('logout', async () => {
  await tid('login-username').fill(USER);
  await tid('login-password').fill(PASSWORD);
  await tid('login-submit').click();
  await tid('logout').waitFor();
  await tid('logout').click();
  await tid('login-form').waitFor();
  const s = await page.evaluate(() => Object.keys(sessionStorage));
  await expect(s.length === 0, `sessionStorage after logout: ${s}`);
});

await context.close();
rmSync(profile, { recursive: true, force: true });
mockProcess?.kill('SIGTERM');

const total = results.reduce((a, r) => a + r.violations.length, 0);
console.log(`\naxe: ${results.length} pages checked, ${total} violation(s)`);
const relevantErrors = consoleErrors.filter((e) => !/401|403|404|409|Failed to load resource/.test(e));
if (relevantErrors.length) {
  console.log(`console errors:\n  ${relevantErrors.join('\n  ')}`);
  failures++;
}
console.log(`screenshots in ${SHOTS}`);
console.log(failures ? `${failures} problem(s)` : 'all steps passed');
process.exit(failures ? 1 : 0);
