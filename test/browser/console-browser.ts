import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

/**
 * Browser plumbing for the console end-to-end test: Debian's Chromium (never a downloaded one)
 * driven by playwright-core with a throw-away profile, axe-core injected into the page, and
 * screenshots under test-artifacts/browser/.
 */

export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** WCAG 2.0 / 2.1 / 2.2, levels A and AA. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

export const SCREENSHOT_DIR = resolve(process.cwd(), 'test-artifacts/browser');

export type ChromiumAvailability = { run: true } | { run: false; fail: boolean; message: string };

/**
 * Whether the test can run: with /usr/bin/chromium it runs; without it, CI (which installs it,
 * see .ci/run) must fail loudly, and a developer machine skips with a warning.
 */
export function chromiumAvailability(): ChromiumAvailability {
  if (existsSync(CHROMIUM_PATH)) return { run: true };
  if (process.env.CI) {
    return { run: false, fail: true, message: `${CHROMIUM_PATH} is missing, but CI is set: the console browser test must run in CI (.ci/run installs Debian's "chromium" with apt).` };
  }
  return { run: false, fail: false, message: `Skipping the console browser test: ${CHROMIUM_PATH} is missing. Install it with "apt-get install -y chromium" (no browser is ever downloaded).` };
}

export interface ConsoleBrowser {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions thrown in the page. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function launchConsoleBrowser(): Promise<ConsoleBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'gbg-console-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
      // Only so axe-core can be injected as an inline script: the console runs under the
      // ingress's `default-src 'self'` policy otherwise.
      bypassCSP: true,
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  page.setDefaultNavigationTimeout(15_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  return {
    context,
    page,
    pageErrors,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const AXE_SOURCE = readFileSync(join(resolve(createRequire(join(process.cwd(), 'package.json')).resolve('axe-core'), '..'), 'axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Runs axe-core (WCAG 2 A/AA rules) on the page as it is now; returns the violations, readable. */
export async function axeViolations(page: Page, options: { rules?: string[] } = {}): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object'))) {
    await page.addScriptTag({ content: AXE_SOURCE });
  }
  return page.evaluate(async (opts) => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[] }> } }).axe;
    const runOnly = opts.rules ? { type: 'rule', values: opts.rules } : { type: 'tag', values: opts.tags };
    const result = await axe.run(document, { runOnly, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.map(String).join(' ')} — ${(n.failureSummary ?? '').split('\n').slice(1).join(' ').trim()}`),
    }));
  }, { tags: AXE_TAGS, rules: options.rules });
}

/** Screenshots into test-artifacts/browser/, emptied of earlier runs' images first. */
export class Screenshots {
  readonly taken: string[] = [];

  constructor(readonly dir = SCREENSHOT_DIR) {
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir)) if (f.endsWith('.png')) rmSync(join(dir, f), { force: true });
  }

  async take(target: Page | Locator, name: string, opts: { fullPage?: boolean } = {}): Promise<string> {
    const path = join(this.dir, `${name}.png`);
    if ('goto' in target) await target.screenshot({ path, fullPage: opts.fullPage ?? true, animations: 'disabled' });
    else await target.screenshot({ path, animations: 'disabled' });
    this.taken.push(path);
    return path;
  }
}

/** What has keyboard focus, described for error messages. */
async function focused(page: Page): Promise<{ testid: string | null; text: string }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return { testid: el?.getAttribute('data-testid') ?? null, text: `${el?.tagName.toLowerCase() ?? 'none'}${el?.id ? `#${el.id}` : ''} "${(el?.textContent ?? '').trim().slice(0, 40)}"` };
  });
}

/**
 * Presses Tab from the top of a freshly loaded page until the element with `testid` has focus;
 * returns every element focused on the way (the first is expected to be the skip link).
 */
export async function tabUntil(page: Page, testid: string, maxTabs = 80): Promise<string[]> {
  const path: string[] = [];
  for (let i = 0; i < maxTabs; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    path.push(f.text);
    if (f.testid === testid) return path;
  }
  throw new Error(`Tab never reached [data-testid=${testid}] in ${maxTabs} presses; focus went through:\n  ${path.join('\n  ')}`);
}

/**
 * Every visible form control of the page with its accessible name as Playwright computes it
 * (the name getByRole/getByLabel match on); an unnamed control shows up with name ''.
 */
export async function formControlNames(page: Page): Promise<{ control: string; role: string; name: string }[]> {
  const controls = page.locator('input:not([type=hidden]), select, textarea');
  const out: { control: string; role: string; name: string }[] = [];
  for (const control of await controls.all()) {
    if (!(await control.isVisible())) continue;
    const describe = await control.evaluate((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('data-testid') ? `[data-testid=${el.getAttribute('data-testid')}]` : ''}`);
    // e.g. `- textbox "Channel id"`, `- checkbox "Use PKCE (recommended)"`, `- combobox "Outcome"`.
    const snapshot = (await control.ariaSnapshot()).split('\n')[0] ?? '';
    const m = /^- (\w+)(?: "((?:[^"\\]|\\.)*)")?/.exec(snapshot.trim());
    out.push({ control: describe, role: m?.[1] ?? '?', name: m?.[2] ?? '' });
  }
  return out;
}
