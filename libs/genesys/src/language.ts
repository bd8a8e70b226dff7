/**
 * Genesys sends lower-case W3C tags (`en-us`) but we accept `en_US`, `EN-us`, etc. Matching:
 * exact tag, then the primary language against a supported tag with the same primary
 * language, then the configured fallback.
 */
export function normalizeLanguageCode(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || !raw) return undefined;
  const tag = raw.trim().replace(/_/g, '-').toLowerCase();
  return /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/.test(tag) ? tag : undefined;
}

export function matchLanguage(
  requested: string | undefined,
  supported: readonly string[],
  fallback: string,
): string {
  const tag = normalizeLanguageCode(requested);
  const normalized = supported.map((s) => normalizeLanguageCode(s) ?? s.toLowerCase());
  if (tag) {
    if (normalized.includes(tag)) return tag;
    const primary = tag.split('-')[0];
    const samePrimary = normalized.find((s) => s === primary || s.split('-')[0] === primary);
    if (samePrimary) return samePrimary;
  }
  return normalizeLanguageCode(fallback) ?? normalized[0] ?? 'en-us';
}
