import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { checkBotUrl } from '../http/network-guard.js';

import type { ProviderConfigField } from '../provider-catalog.js';

export type { ProviderConfigField };

export interface ProviderConfigSpec<T extends object = object> {
  /** A class-validator class; unknown keys are refused, property initializers are the defaults. */
  schema: new () => T;
  /**
   * Dotted paths of secrets. A path naming an object (`headers`, `credentials`) covers every string
   * inside it. Sealed at rest, never shown back by the admin API, never logged.
   */
  secrets: readonly string[];
  /** Dotted paths of URLs the provider calls: checked by the network guard when the channel is loaded. */
  urls: readonly string[];
  /** What the console shows, in order. */
  fields: readonly ProviderConfigField[];
  /** One line naming the backend, for the console's provider list. */
  title: string;
  /** The provider's page under docs/providers/. */
  docs?: string;
}

const flatten = (errors: ValidationError[], prefix = ''): string[] =>
  errors.flatMap((e) => {
    const path = `${prefix}${e.property}`;
    const own = Object.values(e.constraints ?? {}).map((m) => (m.startsWith(e.property) ? `${prefix}${m}` : `${path}: ${m}`));
    return [...own, ...flatten(e.children ?? [], `${path}.`)];
  });

/** Reads a dotted path (`credentials.private_key`). */
export function valueAt(config: Record<string, unknown>, path: string): unknown {
  let v: unknown = config;
  for (const part of path.split('.')) {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/**
 * Problems of a provider config, each starting with its path inside `provider.config`; empty when
 * the config is good. URLs go through the same guard the calls use.
 */
export function providerConfigProblems(spec: ProviderConfigSpec, config: unknown, allowPrivateNetworks: boolean): string[] {
  if (!config || typeof config !== 'object' || Array.isArray(config)) return ['config must be an object'];
  if (JSON.stringify(config).includes('"$sealed"')) return ['config must not contain "$sealed" keys'];
  const instance = plainToInstance(spec.schema, config, { exposeDefaultValues: true });
  const problems = flatten(validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true }));
  for (const path of spec.urls) {
    const url = valueAt(config as Record<string, unknown>, path);
    if (typeof url !== 'string' || problems.some((p) => p.startsWith(`${path}:`) || p.startsWith(`${path} `))) continue;
    try {
      checkBotUrl(url.trim(), allowPrivateNetworks);
    } catch (e) {
      problems.push(`${path}: ${(e as Error).message}`);
    }
  }
  return problems;
}

const parsed = new WeakMap<object, object>();

/**
 * The typed config of a call, defaults applied. Cached per config object: the channel cache hands
 * the same object to every turn for a second, so a turn pays no class-transformer cost.
 */
export function typedConfig<T extends object>(spec: ProviderConfigSpec<T>, config: Record<string, unknown>): T {
  const hit = parsed.get(config);
  if (hit) return hit as T;
  const value = plainToInstance(spec.schema, config, { exposeDefaultValues: true });
  parsed.set(config, value);
  return value;
}
