import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type {
  BotResult,
  CanonicalAttachment,
  CanonicalCard,
  CanonicalMessageType,
  CanonicalTurn,
  CanonicalUserInput,
} from '@app/bot-providers/canonical.types.js';

/**
 * The JSON Schemas in docs/ document the canonical model for `http` bot authors. This suite keeps them in step
 * with canonical.types.ts: the key lists below are checked against the TS types at compile time
 * (`npm run typecheck`), and against the schema files at run time. It also checks docker-compose.yml.
 */

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
type JsonSchema = {
  $schema?: string;
  $id?: string;
  title?: string;
  type?: string;
  required?: string[];
  properties?: Record<string, JsonSchema>;
  $defs?: Record<string, JsonSchema>;
  oneOf?: JsonSchema[];
  $ref?: string;
  const?: unknown;
  enum?: unknown[];
  maxItems?: number;
  maxLength?: number;
  examples?: unknown[];
};
const loadSchema = (name: string): JsonSchema => JSON.parse(readFileSync(root(`docs/${name}`), 'utf8')) as JsonSchema;

// ---- compile-time link to the TS types -------------------------------------------------------------
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** `keys` must list every property of T (no more), and `required` exactly the non-optional ones. */
function shape<T>() {
  return <const P extends readonly (keyof T & string)[], const R extends readonly (keyof T & string)[]>(
    properties: P & (Same<P[number], keyof T> extends true ? unknown : ['missing keys', Exclude<keyof T, P[number]>]),
    required: R & (Same<R[number], RequiredKeys<T>> extends true ? unknown : ['wrong required keys', RequiredKeys<T>]),
  ) => ({ properties: [...properties].sort(), required: [...required].sort() });
}

const TURN = shape<CanonicalTurn>()(
  ['turnId', 'channelId', 'bot', 'session', 'language', 'input', 'correlationId', 'seq'],
  ['turnId', 'channelId', 'bot', 'session', 'language', 'input', 'seq'],
);
const TURN_BOT = shape<CanonicalTurn['bot']>()(['id', 'name', 'version'], ['id', 'name', 'version']);
const TURN_SESSION = shape<CanonicalTurn['session']>()(
  ['id', 'genesysConversationId', 'turnIndex', 'state', 'parameters'],
  ['id', 'turnIndex', 'state', 'parameters'],
);
const USER_INPUT = shape<CanonicalUserInput>()(['kind', 'text', 'payload', 'attachments'], ['kind', 'text', 'attachments']);
const ATTACHMENT = shape<CanonicalAttachment>()(
  ['kind', 'url', 'filename', 'mime', 'caption', 'sizeBytes'],
  ['kind', 'url'],
);
const RESULT = shape<BotResult>()(
  ['messages', 'handoff', 'end', 'fallback', 'intent', 'confidence', 'parameters', 'state'],
  ['messages'],
);
const HANDOFF = shape<NonNullable<BotResult['handoff']>>()(['reason', 'queue', 'summary'], []);
const CARD = shape<CanonicalCard>()(['title', 'subtitle', 'imageUrl', 'defaultAction', 'buttons'], ['title']);
const MESSAGE_TYPES = ['text', 'quickReplies', 'buttons', 'list', 'card', 'carousel', 'attachment'] as const;
const messageTypesComplete: Same<(typeof MESSAGE_TYPES)[number], CanonicalMessageType> = true;

// ---- run-time checks against the schema files ------------------------------------------------------
const keysOf = (s: JsonSchema | undefined) => ({
  properties: Object.keys(s?.properties ?? {}).sort(),
  required: [...(s?.required ?? [])].sort(),
});
const deref = (schema: JsonSchema, s: JsonSchema | undefined): JsonSchema | undefined =>
  s?.$ref?.startsWith('#/$defs/') ? schema.$defs?.[s.$ref.slice('#/$defs/'.length)] : s;

describe('docs/canonical-turn.schema.json', () => {
  const schema = loadSchema('canonical-turn.schema.json');

  it('is a draft 2020-12 object schema titled CanonicalTurn', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe('CanonicalTurn');
    expect(schema.type).toBe('object');
  });

  it('has the properties and required keys of CanonicalTurn', () => {
    expect(keysOf(schema)).toEqual(TURN);
    expect(keysOf(schema.properties?.bot)).toEqual(TURN_BOT);
    expect(keysOf(schema.properties?.session)).toEqual(TURN_SESSION);
    expect(keysOf(deref(schema, schema.properties?.input))).toEqual(USER_INPUT);
    expect(keysOf(schema.$defs?.CanonicalAttachment)).toEqual(ATTACHMENT);
    expect(deref(schema, schema.properties?.input)?.properties?.kind.enum).toEqual(['text', 'button', 'attachment', 'empty']);
  });

  it('ships an example with every required key', () => {
    const example = schema.examples?.[0] as Record<string, unknown>;
    for (const key of TURN.required) expect(example).toHaveProperty(key);
  });
});

describe('docs/bot-result.schema.json', () => {
  const schema = loadSchema('bot-result.schema.json');
  const defs = schema.$defs ?? {};

  it('is a draft 2020-12 object schema titled BotResult', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe('BotResult');
    expect(schema.type).toBe('object');
  });

  it('has the properties and required keys of BotResult', () => {
    expect(messageTypesComplete).toBe(true);
    expect(keysOf(schema)).toEqual(RESULT);
    expect(keysOf(schema.properties?.handoff)).toEqual(HANDOFF);
    expect(keysOf(defs.CanonicalCard)).toEqual(CARD);
    expect(keysOf(defs.CanonicalAttachment)).toEqual(ATTACHMENT);
    const messageTypes = (defs.CanonicalMessage?.oneOf ?? []).map((s) => deref(schema, s)?.properties?.type.const);
    expect([...messageTypes].sort()).toEqual([...MESSAGE_TYPES].sort());
    const buttonTypes = (defs.CanonicalButton?.oneOf ?? []).map((s) => s.properties?.type.const);
    expect(buttonTypes.sort()).toEqual(['postback', 'url']);
  });

  it('states the documented limits', () => {
    expect(schema.properties?.messages.maxItems).toBe(100);
    expect(defs.Text?.maxLength).toBe(4000);
    expect(defs.CarouselMessage?.properties?.cards.maxItems).toBe(50);
    expect(defs.ButtonsMessage?.properties?.buttons.maxItems).toBe(20);
    expect(defs.QuickRepliesMessage?.properties?.replies.maxItems).toBe(20);
    expect(defs.CanonicalCard?.properties?.buttons.maxItems).toBe(20);
  });
});

describe('docker-compose.yml', () => {
  const file = root('docker-compose.yml');
  const compose = parseYaml(readFileSync(file, 'utf8')) as {
    version?: string;
    services: Record<string, { command?: string[]; ports?: string[]; container_name?: string; environment?: Record<string, string> }>;
  };

  it('defines redis, ingress and a scalable worker from one image', () => {
    expect(compose.version).toBeUndefined();
    expect(Object.keys(compose.services).sort()).toEqual(['ingress', 'redis', 'worker']);
    const { worker, ingress, redis } = compose.services;
    expect(worker.ports).toBeUndefined();
    expect(worker.container_name).toBeUndefined();
    expect(redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']));
    const dockerfile = readFileSync(root('Dockerfile'), 'utf8');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(cmd && JSON.parse(cmd)).toEqual(ingress.command);
    expect(worker.command).toEqual(['node', 'dist/apps/worker/apps/worker/src/main.js']);
  });

  it('passes `docker-compose config -q` when docker-compose is installed', () => {
    const env = {
      ...process.env,
      ADMIN_TOKEN: process.env.ADMIN_TOKEN || 'schemas-e2e-spec-admin-token',
      SECRETS_KEY: process.env.SECRETS_KEY || 'schemas-e2e-spec-secrets-key-schemas-e2e',
      PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL || 'https://bots.example.test',
    };
    const probe = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
    if (probe.error) {
      console.log('docker-compose not found: skipping `docker-compose config -q` (apt-get install docker-compose to run it)');
      return;
    }
    const run = spawnSync('docker-compose', ['-f', file, 'config', '-q'], { encoding: 'utf8', env });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    // The stack runs in production, which needs every one of these: compose says so before starting anything.
    for (const name of ['ADMIN_TOKEN', 'SECRETS_KEY', 'PUBLIC_BASE_URL']) {
      const missing = spawnSync('docker-compose', ['-f', file, 'config', '-q'], { encoding: 'utf8', env: { ...env, [name]: '' } });
      expect([name, missing.status, missing.stderr]).toEqual([name, 1, expect.stringContaining(`set ${name}`)]);
    }
  });
});
