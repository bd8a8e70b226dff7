/** Who did something: a console user, a script's API key, or the deployment's ADMIN_TOKEN. */
export interface AdminActor {
  kind: 'user' | 'api_key' | 'admin_token' | 'cli';
  /** Username, API key name (with its id), or `admin-token`. */
  name: string;
}

export interface AdminUser {
  username: string;
  passwordHash: string;
  createdAt: string;
  /**
   * Random, new when the user is created and at every password change. A session carries the one
   * it was made under and is refused once it differs, so a changed password or a deleted (even
   * re-created) user ends every session, whatever session records are left. Absent on users made
   * before it existed (read as '').
   */
  epoch?: string;
}

export interface ApiKeyRecord {
  id: string;
  name: string;
  /** SHA-256 (hex) of the secret part; the key itself is shown once. */
  secretHash: string;
  createdAt: string;
  lastUsedAt?: string;
}

export interface AdminSession {
  username: string;
  /** The user's `epoch` when the session was made (absent on older sessions: ''). */
  epoch?: string;
  csrfToken: string;
  createdAt: string;
  expiresAt: number;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: AdminActor;
  action: string;
  /** What was acted on, e.g. `channel:shop`. */
  target?: string;
  /** Non-secret facts about the change (field names changed, fingerprints, counts). */
  details?: Record<string, unknown>;
}

export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/;
export const API_KEY_PREFIX = 'gbgk';
/** `gbgk_<id>_<secret>`: the id finds the record, the secret is compared by hash. */
export const API_KEY_PATTERN = /^gbgk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/** A refused admin-user change; the message is safe to show the admin. */
export class AdminAuthError extends Error {
  constructor(
    readonly code: 'invalid_username' | 'weak_password' | 'exists' | 'not_found' | 'invalid_name',
    message: string,
  ) {
    super(message);
    this.name = 'AdminAuthError';
  }
}
