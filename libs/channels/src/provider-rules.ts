/**
 * What the channel store needs to know about bot providers, provided by @app/bot-providers'
 * registry (the port is declared here so channels never depend on the providers).
 */
export const BOT_PROVIDER_RULES = Symbol('BOT_PROVIDER_RULES');

export interface BotProviderRules {
  names(): string[];
  /** Problems of a provider's config, paths relative to `provider.config`; undefined when no provider has that name. */
  configProblems(name: string, config: Record<string, unknown>): string[] | undefined;
  /** Dotted paths of the secrets in that provider's config, `headers` always included (an object path covers every string inside). */
  secretPaths(name: string): readonly string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * A copy of `config` with every secret string (per `paths`) replaced by `fn(value, path)`; `path`
 * is the full dotted path of that string (`headers.authorization`, `credentials.private_key`).
 */
export function mapSecretValues(config: Obj, paths: readonly string[], fn: (value: string, path: string) => unknown): Obj {
  let out = config;
  for (const path of paths) out = mapAt(out, path.split('.'), path, fn);
  return out;
}

function mapAt(node: Obj, parts: string[], full: string, fn: (value: string, path: string) => unknown): Obj {
  const [head, ...rest] = parts;
  if (head === undefined || !(head in node)) return node;
  const v = node[head];
  if (rest.length) return isObj(v) ? { ...node, [head]: mapAt(v, rest, full, fn) } : node;
  if (typeof v === 'string') return { ...node, [head]: fn(v, full) };
  if (isObj(v)) return { ...node, [head]: mapAll(v, full, fn) };
  return node;
}

function mapAll(node: Obj, prefix: string, fn: (value: string, path: string) => unknown): Obj {
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [k, typeof v === 'string' ? fn(v, `${prefix}.${k}`) : isObj(v) ? mapAll(v, `${prefix}.${k}`, fn) : v]),
  );
}

/** The config without its secrets (for views): secret paths removed, and the list of those that were set. */
export function withoutSecrets(config: Obj, paths: readonly string[]): { config: Obj; secretsSet: string[] } {
  const set = new Set<string>();
  const marked = mapSecretValues(config, paths, (_v, path) => {
    set.add(paths.find((p) => path === p || path.startsWith(`${p}.`)) ?? path);
    return REMOVED;
  });
  return { config: withoutRemoved(marked), secretsSet: [...set] };
}

/** What `mapSecretValues`' callback returns to remove a value; `withoutRemoved` then drops it. */
export const REMOVED = Symbol('removed');

/** The object without the values marked REMOVED, and without maps that held only such values (headers). */
export function withoutRemoved(node: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(node)) {
    if (v === REMOVED) continue;
    if (isObj(v)) {
      const inner = withoutRemoved(v);
      if (Object.keys(inner).length || !Object.keys(v).length) out[k] = inner;
    } else out[k] = v;
  }
  return out;
}

/** Replaces every `{ "$sealed": "…" }` anywhere in a stored config by `open(sealed, path)`. */
export function openSealedValues(node: unknown, open: (sealed: string, path: string) => string, prefix = ''): unknown {
  if (Array.isArray(node)) return node.map((v, i) => openSealedValues(v, open, `${prefix}${i}.`));
  if (!isObj(node)) return node;
  if (typeof node.$sealed === 'string' && Object.keys(node).length === 1) return open(node.$sealed, prefix.slice(0, -1));
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, openSealedValues(v, open, `${prefix}${k}.`)]));
}
