import type { Redis } from 'ioredis';
import { redactDeep } from '@app/privacy';
import type { RedisKeys } from '../redis-keys.js';
import type { AdminActor, AuditEntry } from '@app/admin-auth/admin-auth.types.js';

/** Entries kept (approximately; Redis trims whole nodes). */
const MAX_ENTRIES = 100_000;

/**
 * Who changed what, when: a capped Redis stream, newest read first. Never holds a secret, and the
 * free text of `details` (an error a backend or Genesys returned) has card numbers, IBANs, emails
 * and phone numbers redacted. The actor and the target are kept: they are the operator and the
 * object the entry is about, which is what an audit log is for.
 */
export class AuditLog {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async record(actor: AdminActor, action: string, target?: string, details?: Record<string, unknown>): Promise<void> {
    const fields = ['actor', JSON.stringify(actor), 'action', action];
    if (target) fields.push('target', target);
    if (details && Object.keys(details).length) fields.push('details', JSON.stringify(redactDeep(details)));
    await this.redis.xadd(this.keys.auditLog(), 'MAXLEN', '~', MAX_ENTRIES, '*', ...fields);
  }

  /** Newest first; `before` is the id of the last entry of the previous page. */
  async list(limit = 100, before?: string): Promise<{ entities: AuditEntry[]; next?: string }> {
    const n = Math.max(1, Math.min(500, limit));
    const end = before ? `(${before}` : '+';
    const rows = await this.redis.xrevrange(this.keys.auditLog(), end, '-', 'COUNT', n);
    const entities = rows.map(([id, f]) => {
      const m = new Map<string, string>();
      for (let i = 0; i < f.length; i += 2) m.set(f[i]!, f[i + 1]!);
      const entry: AuditEntry = { id, at: new Date(Number(id.split('-')[0])).toISOString(), actor: JSON.parse(m.get('actor') ?? '{}') as AdminActor, action: m.get('action') ?? '' };
      if (m.has('target')) entry.target = m.get('target');
      if (m.has('details')) entry.details = JSON.parse(m.get('details')!) as Record<string, unknown>;
      return entry;
    });
    return { entities, ...(entities.length === n ? { next: entities[entities.length - 1]!.id } : {}) };
  }
}
