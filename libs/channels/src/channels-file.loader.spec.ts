import 'reflect-metadata';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChannelConfigError } from './channel.schema.js';
import { loadChannelsFile } from './channels-file.loader.js';
import { DEV_SECRET_PREFIX, developmentOnlySettings } from './development-settings.js';

const REPO_FILE = fileURLToPath(new URL('../../../config/channels.yaml', import.meta.url));
const SECRET = 'loader-test-secret-0123456789abcdefghijklmnop';

const channelYaml = (id: string, extra = '') => `
  - id: ${id}
    genesys:
      environment: mypurecloud.ie
    app:
      clientId: ${id}-app
      clientSecrets: ["${SECRET}"]
    bots:
      - id: ${id}-bot
        name: Bot ${id}
        versions: ["1"]
        languages: [en-us]
        provider:
          name: demo
${extra}`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'channels-loader-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function file(text: string, ext = 'yaml'): Promise<string> {
  const path = join(dir, `channels-${++n}.${ext}`);
  await writeFile(path, text, 'utf8');
  return path;
}

async function problemsOf(path: string): Promise<string[]> {
  try {
    await loadChannelsFile(path);
  } catch (e) {
    expect(e).toBeInstanceOf(ChannelConfigError);
    return (e as ChannelConfigError).problems;
  }
  throw new Error('expected ChannelConfigError, but the file loaded');
}

describe('loadChannelsFile', () => {
  it("loads the repository's config/channels.yaml", async () => {
    const channels = await loadChannelsFile(REPO_FILE);
    expect(channels.map((c) => c.id)).toEqual(['demo']);
    const demo = channels[0]!;
    expect(demo.genesys.environment).toBe('mypurecloud.com');
    expect(demo.bots.map((b) => b.id)).toEqual(['demo-bot']);
    expect(demo.bots[0]!.languages).toEqual(['en-us', 'de-de', 'fr-fr']);
    expect(demo.handoff.phrases.de).toEqual(['mitarbeiter', 'mensch sprechen']);
    expect(demo.bots[0]!.provider).toMatchObject({ name: 'demo', timeoutMs: 8000, retries: 1 });
    // The shipped secrets and the emulator host are marked as development-only.
    expect(developmentOnlySettings(demo)).toEqual(['app.clientSecrets[0]', 'genesys.digitalBotConnector.secret', 'genesys.oauth.clientSecret', 'genesys.oauth.baseUrl']);
  });

  it('loads several channels, and JSON as well as YAML', async () => {
    const yaml = await loadChannelsFile(await file(`channels:${channelYaml('one')}${channelYaml('two')}`));
    expect(yaml.map((c) => c.id)).toEqual(['one', 'two']);
    expect(yaml[0]!.genesys.environment).toBe('mypurecloud.ie');
    expect(developmentOnlySettings(yaml[0]!)).toEqual([]);

    const json = JSON.stringify({
      channels: [
        {
          id: 'j',
          genesys: { environment: 'eu-central-1' },
          app: { clientId: 'j', clientSecrets: [`${DEV_SECRET_PREFIX}-${SECRET}`] },
          bots: [{ id: 'b', name: 'B', versions: ['1'], languages: ['de'], provider: { name: 'demo' } }],
        },
      ],
    });
    const fromJson = await loadChannelsFile(await file(json, 'json'));
    expect(fromJson[0]!.genesys.environment).toBe('mypurecloud.de');
    expect(developmentOnlySettings(fromJson[0]!)).toEqual(['app.clientSecrets[0]']);
  });

  it('refuses a file channel that claims to be an API channel: the file owns every channel it defines', async () => {
    const problems = await problemsOf(await file(`channels:${channelYaml('sneaky', '    source: api\n')}${channelYaml('plain', '    source: file\n')}`));
    expect(problems).toEqual(['channel sneaky: source "api" is not allowed in CHANNELS_FILE (every channel of the file is a file channel; leave source out)']);
    const ok = await loadChannelsFile(await file(`channels:${channelYaml('plain', '    source: file\n')}`));
    expect(ok[0]!.source).toBe('file');
  });

  it('rejects a duplicate channel id', async () => {
    const problems = await problemsOf(await file(`channels:${channelYaml('dup')}${channelYaml('other')}${channelYaml('dup')}`));
    expect(problems).toEqual(['channel dup is defined twice']);
  });

  it('lists the problems of every channel, not just the first', async () => {
    const bad1 = channelYaml('bad1').replace('mypurecloud.ie', 'nowhere.example');
    const bad2 = channelYaml('bad2').replace(SECRET, 'too-short');
    const problems = await problemsOf(await file(`channels:${bad1}${channelYaml('good')}${bad2}`));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^channel bad1: genesys\.environment "nowhere\.example" is not a known Genesys Cloud region/);
    expect(problems[1]).toBe('channel bad2: app.clientSecrets[0] is 9 bytes; at least 32 are required');
  });

  it.each([
    ['an empty file', ''],
    ['no channels key', 'bots: []\n'],
    ['channels not a list', 'channels:\n  demo: {}\n'],
    ['a top-level list', `${channelYaml('x')}`],
  ])('rejects %s: a top-level "channels" list is required', async (_, text) => {
    const path = await file(text);
    expect(await problemsOf(path)).toEqual([`CHANNELS_FILE ${path} must have a top-level "channels" list`]);
  });

  it('rejects invalid YAML with one readable line', async () => {
    const path = await file('channels:\n  - id: [unclosed\n    name: "x\n');
    const problems = await problemsOf(path);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^CHANNELS_FILE ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid YAML/JSON: `));
    expect(problems[0]).not.toContain('\n');
  });

  it('refuses YAML alias bombs', async () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 8; i++) {
      const prev = String.fromCharCode(97 + i);
      const next = String.fromCharCode(98 + i);
      bomb.push(`${next}: &${next} [${Array(10).fill(`*${prev}`).join(',')}]`);
    }
    bomb.push('channels: []');
    const problems = await problemsOf(await file(bomb.join('\n')));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('is not valid YAML/JSON');
  });

  it('reports a file that cannot be read', async () => {
    const path = join(dir, 'missing.yaml');
    expect(await problemsOf(path)).toEqual([`cannot read CHANNELS_FILE ${path}: ENOENT`]);
  });
});
