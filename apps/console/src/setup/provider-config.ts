import { ApiError } from '../api.js';
import type { ProviderField } from '../types.js';

/**
 * The bots step's provider config form, as data: what each field shows, and the merge patch of
 * `provider.config` a save sends (docs/admin-api.md). Only what the admin changed is sent: the
 * server merges it into the stored config (objects merge, `null` removes), so a secret left empty
 * is kept, and a key the form does not know (set in the file or through the API) survives.
 */

export interface MapRow {
  name: string;
  value: string;
}

/** One field as edited: `text` for scalars and lists (one per line), `rows` for maps; `clear` removes a stored secret. */
export interface FieldState {
  text: string;
  rows: MapRow[];
  clear: boolean;
}

/** The admin's edits, by field key; a field without an entry shows the stored value. */
export type ConfigEdits = Record<string, FieldState>;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

export function valueAt(config: Json, key: string): unknown {
  let v: unknown = config;
  for (const part of key.split('.')) {
    if (!isObj(v)) return undefined;
    v = v[part];
  }
  return v;
}

function setAt(config: Json, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = config;
  for (const part of parts.slice(0, -1)) {
    if (!isObj(node[part])) node[part] = {};
    node = node[part] as Json;
  }
  node[parts.at(-1)!] = value;
}

const covers = (path: string, key: string) => key === path || key.startsWith(`${path}.`) || path.startsWith(`${key}.`);

/** A field the API never shows back: a secret, or anything under (or holding) a secret path. */
export function isWriteOnly(field: ProviderField, secrets: readonly string[]): boolean {
  return field.kind === 'secret' || secrets.some((p) => covers(p, field.key));
}

/** Whether a stored value exists for a write-only field (the view lists the secret paths that hold one). */
export function isSecretSet(field: ProviderField, secretsSet: readonly string[]): boolean {
  return secretsSet.some((p) => covers(p, field.key));
}

const text = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));

/** What a field shows before any edit: the stored value (never a secret: the view has none). */
export function initialState(field: ProviderField, config: Json, writeOnly: boolean): FieldState {
  const v = writeOnly ? undefined : valueAt(config, field.key);
  if (field.kind === 'map') return { text: '', rows: isObj(v) ? Object.entries(v).map(([name, value]) => ({ name, value: text(value) })) : [], clear: false };
  if (field.kind === 'list') return { text: Array.isArray(v) ? v.map(text).join('\n') : text(v), rows: [], clear: false };
  return { text: text(v), rows: [], clear: false };
}

/** The config value a field's state stands for; `undefined` = empty. */
function valueOf(field: ProviderField, s: FieldState): unknown {
  switch (field.kind) {
    case 'map': {
      const rows = s.rows.filter((r) => r.name.trim());
      return rows.length ? Object.fromEntries(rows.map((r) => [r.name.trim(), r.value])) : undefined;
    }
    case 'list': {
      const items = s.text.split('\n').map((l) => l.trim()).filter(Boolean);
      return items.length ? items : undefined;
    }
    case 'number': {
      const t = s.text.trim();
      if (!t) return undefined;
      const n = Number(t);
      // Not a number: sent as typed, the server says what is wrong with it.
      return Number.isFinite(n) ? n : t;
    }
    default:
      return s.text.trim() === '' ? undefined : field.kind === 'textarea' || field.kind === 'secret' ? s.text : s.text.trim();
  }
}

export interface ConfigContext {
  fields: readonly ProviderField[];
  secrets: readonly string[];
  /** The stored config as the view shows it (no secrets), `{}` for a provider just chosen. */
  stored: Json;
  secretsSet: readonly string[];
}

export function fieldState(ctx: ConfigContext, edits: ConfigEdits, field: ProviderField): FieldState {
  return edits[field.key] ?? initialState(field, ctx.stored, isWriteOnly(field, ctx.secrets));
}

/**
 * The merge patch of `provider.config` for the admin's edits: changed visible fields (a field
 * emptied → `null`, a map row removed → `null` for that name), secrets only when typed, `null` for
 * a secret the admin chose to remove. Unchanged fields and untouched secrets are left out.
 */
export function configPatch(ctx: ConfigContext, edits: ConfigEdits): Json {
  const patch: Json = {};
  for (const field of ctx.fields) {
    const s = edits[field.key];
    if (!s) continue;
    if (isWriteOnly(field, ctx.secrets)) {
      if (s.clear) setAt(patch, field.key, null);
      else {
        const v = valueOf(field, s);
        if (v !== undefined) setAt(patch, field.key, v);
      }
      continue;
    }
    const before = valueOf(field, initialState(field, ctx.stored, false));
    const after = valueOf(field, s);
    if (JSON.stringify(before) === JSON.stringify(after)) continue;
    if (after === undefined) {
      if (valueAt(ctx.stored, field.key) !== undefined) setAt(patch, field.key, null);
      continue;
    }
    if (field.kind === 'map' && isObj(before)) {
      // Maps merge on the server: a name no longer listed must be removed explicitly.
      const removed = Object.keys(before).filter((k) => !(k in (after as Json)));
      setAt(patch, field.key, { ...Object.fromEntries(removed.map((k) => [k, null])), ...(after as Json) });
      continue;
    }
    setAt(patch, field.key, after);
  }
  return patch;
}

/**
 * Whether a URL of the config moves to another origin while secrets are stored: the server then
 * drops the secrets not entered again (they belong to the old backend), so the form says so.
 */
export function urlMovesAway(ctx: ConfigContext, edits: ConfigEdits): boolean {
  if (!ctx.secretsSet.length) return false;
  const origin = (v: unknown) => {
    try {
      return typeof v === 'string' && v.trim() ? new URL(v.trim()).origin : undefined;
    } catch {
      return String(v);
    }
  };
  return ctx.fields.some((f) => f.kind === 'url' && edits[f.key] && origin(valueAt(ctx.stored, f.key)) !== origin(edits[f.key]!.text));
}

export interface ProviderErrors {
  /** Problems of one config field, by field key. */
  fields: Record<string, string[]>;
  /** Problems of the provider's name. */
  provider: string[];
}

const DETAIL = /^bots\[(\d+)\]\.provider\.(.*)$/s;

/**
 * Sorts a 400's details (`bots[0].provider.config.webhookUrl: …`) to the fields they name: per bot
 * (its index in the saved list), per config field (the longest field key the path starts with);
 * whatever names no field stays in `rest`, for the alert at the top.
 */
export function sortProblems(error: unknown, bots: { fields: readonly ProviderField[] }[]): { perBot: ProviderErrors[]; rest: string[] } {
  const perBot: ProviderErrors[] = bots.map(() => ({ fields: {}, provider: [] }));
  const rest: string[] = [];
  const details = error instanceof ApiError && error.status === 400 ? error.details : [];
  for (const d of details) {
    const m = DETAIL.exec(d);
    const bot = m ? perBot[Number(m[1])] : undefined;
    const tail = m?.[2] ?? '';
    if (bot && /^name\b/.test(tail)) {
      bot.provider.push(tail.replace(/^name:\s*/, ''));
      continue;
    }
    if (bot && tail.startsWith('config.')) {
      const path = tail.slice('config.'.length);
      const field = [...bots[Number(m![1])]!.fields].sort((a, b) => b.key.length - a.key.length).find((f) => path === f.key || (path.startsWith(f.key) && /^[:\s.[]/.test(path.slice(f.key.length))));
      if (field) {
        (bot.fields[field.key] ??= []).push(path.startsWith(`${field.key}: `) ? path.slice(field.key.length + 2) : path);
        continue;
      }
    }
    rest.push(d);
  }
  return { perBot, rest };
}
