#!/usr/bin/env node
// A read-mostly walk through the console served by a real ingress (no mock): sign in, channels,
// the setup page of one channel, setup doctor, a test turn with a clicked quick reply, the new
// session in Conversations and its transcript, dashboard, notifications; screenshots and axe-core
// on every page. Changes nothing but what a test turn writes (a transcript).
//
//   echo 'a-long-password' | npm run admin -- create-user console --password-stdin
//   CONSOLE_URL=http://127.0.0.1:3000 CONSOLE_USER=console CONSOLE_PASSWORD=a-long-password CHANNEL=demo \
//     node apps/console/dev/ingress-smoke.mjs

import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const BASE = process.env.CONSOLE_URL ?? 'http://127.0.0.1:3000';
const USER = process.env.CONSOLE_USER ?? 'console';
const PASSWORD = process.env.CONSOLE_PASSWORD ?? '';
const CHANNEL = process.env.CHANNEL ?? 'demo';
const SHOTS = process.env.SHOTS ?? '/tmp/console-shots';
mkdirSync(SHOTS, { recursive: true });

const profile = mkdtempSync(join(tmpdir(), 'console-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
  bypassCSP: true, // only to inject axe
});
const page = context.pages()[0] ?? (await context.newPage());
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
const tid = (id) => page.getByTestId(id);
let problems = 0;
let violations = 0;

async function step(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    problems++;
    console.log(`FAIL ${name}: ${e.message.split('\n')[0]}`);
    await page.screenshot({ path: join(SHOTS, `ingress-FAIL-${name.replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => {});
  }
}
async function check(name) {
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(SHOTS, `ingress-${name}.png`), fullPage: true });
  await page.evaluate(AXE);
  const r = await page.evaluate(async () => (await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } })).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`));
  violations += r.length;
  console.log(r.length ? `AXE  ${name}: ${r.join('; ')}` : `axe  ${name}: 0 violations`);
}

await step('login', async () => {
  await page.goto(`${BASE}/console/channels`);
  await tid('login-form').waitFor();
  await check('login');
  await tid('login-username').fill(USER);
  await tid('login-password').fill(PASSWORD);
  await tid('login-password').press('Enter');
  await tid('channels-table').waitFor();
});
await check('channels');
await step('setup page', async () => {
  await page.goto(`${BASE}/console/channels/${CHANNEL}`);
  await tid('step-webhook-check').waitFor();
  await tid('publish-summary').waitFor({ timeout: 10_000 }).catch(() => {});
});
await check('setup');
await step('doctor', async () => {
  await tid('doctor-run').click();
  await tid('doctor-checks').waitFor({ timeout: 30_000 });
});
let session = '';
await step('test turn and a clicked quick reply', async () => {
  await tid('test-input').fill('hi');
  await tid('test-input').press('Enter');
  await tid('test-meta').first().waitFor({ timeout: 15_000 });
  const chip = page.locator('[data-testid=test-panel] button[data-testid=msg-quick-reply]').first();
  if (await chip.count()) {
    await chip.click();
    await page.locator('[data-testid=test-meta]').nth(1).waitFor({ timeout: 15_000 });
  }
  const raw = await page.locator('[data-testid=test-panel] details.raw pre').first().textContent();
  session = JSON.parse(raw).request?.botSessionId ?? '';
});
await check('setup-after-test');
await step('the test session is listed and its transcript renders', async () => {
  await tid('nav-conversations').click();
  await tid('conversations-table').waitFor();
  await check('conversations');
  if (session) {
    await page.locator(`[data-testid=conversation-row][data-session-id="${session}"]`).waitFor({ timeout: 10_000 });
    await page.locator(`[data-testid=conversation-row][data-session-id="${session}"] [data-testid=conversation-link]`).click();
    await tid('transcript').waitFor();
    await check('transcript');
  }
});
await step('dashboard', async () => {
  await tid('nav-dashboard').click();
  await tid('dashboard-tiles').waitFor();
});
await check('dashboard');
await step('notifications', async () => {
  await tid('nav-notifications').click();
  await tid('notification-form').waitFor();
});
await check('notifications');

await context.close();
rmSync(profile, { recursive: true, force: true });
if (errors.length) {
  problems++;
  console.log(`page errors:\n  ${errors.join('\n  ')}`);
}
console.log(`axe: ${violations} violation(s); ${problems} problem(s); screenshots ${SHOTS}/ingress-*.png`);
process.exit(problems || violations ? 1 : 0);
