/**
 * What GET /api/bot-providers describes, shared with the console (which imports this file as is:
 * keep it free of imports).
 */

/** One input of the console's form for a provider's config (the server validates with the spec's schema, not with these). */
export interface ProviderConfigField {
  /** Dotted path in `provider.config`, e.g. `handoff.taskNames`. */
  key: string;
  label: string;
  /**
   * `secret` fields are write-only; `list` is a list of short strings; `map` a name → value object (headers).
   * The console sends `text`/`url`/`secret`/`textarea` as a string, `number` as a number, `list` as
   * string[], `map` as Record<string, string>; any field at or under a path of `secrets` is write-only.
   */
  kind: 'text' | 'url' | 'secret' | 'number' | 'list' | 'textarea' | 'map';
  required?: boolean;
  placeholder?: string;
  help?: string;
}

/** A registered provider as the console offers it. */
export interface ProviderDescription {
  name: string;
  title: string;
  docs?: string;
  fields: readonly ProviderConfigField[];
  /** Dotted paths that are write-only (an object path covers everything in it). */
  secrets: readonly string[];
}
