import { constantTimeEqual } from '@app/secrets';
import { Injectable } from '@nestjs/common';
import type { AdminActor, AdminSession } from '@app/admin-auth';
import { AdminSessionsStore, AdminUsersStore, AuditLog, LoginThrottle, sessionMatchesUser } from '@app/store';
import { IngressConfig } from '@app/config';
import { GatewayError } from '@app/errors';
import { IngressMetrics } from '../metrics/ingress-metrics.service.js';

/** Everything about who is calling the admin API: users, API keys, ADMIN_TOKEN, sessions, audit. */
@Injectable()
export class AdminAuthService {
  /**
   * The one session cookie name read and written. Over https it has the `__Host-` prefix: a
   * browser then keeps it only if it is Secure, on Path=/ and without Domain, so neither a
   * plain-http page nor a sibling subdomain can plant or overwrite the console's session. Plain
   * http (local development) cannot use the prefix.
   */
  readonly sessionCookie: string;
  private readonly https: boolean;
  private readonly adminToken: string;

  constructor(
    readonly users: AdminUsersStore,
    readonly sessions: AdminSessionsStore,
    readonly audit: AuditLog,
    private readonly throttle: LoginThrottle,
    private readonly config: IngressConfig,
    private readonly metrics: IngressMetrics,
  ) {
    this.https = config.publicBaseUrl.startsWith('https://');
    this.sessionCookie = this.https ? '__Host-gbg_session' : 'gbg_session';
    this.adminToken = config.ADMIN_TOKEN ?? '';
  }

  /** A bearer credential: an API key (`gbgk_…`) or the deployment's ADMIN_TOKEN. */
  async bearer(token: string): Promise<AdminActor | undefined> {
    if (token.startsWith('gbgk_')) {
      const key = await this.users.checkApiKey(token);
      return key ? { kind: 'api_key', name: `${key.name} (${key.id})` } : undefined;
    }
    // An unset ADMIN_TOKEN never matches (loadIngressConfig always sets one; this guards misuse).
    return this.adminToken && constantTimeEqual(token, this.adminToken) ? { kind: 'admin_token', name: 'admin-token' } : undefined;
  }

  /**
   * Who a request is, from its headers: a bearer API key or ADMIN_TOKEN, else the console session
   * cookie. `undefined` when neither is valid. A bearer header that is present but wrong is not
   * retried as a cookie. CSRF is the guard's business (it depends on the method).
   */
  async identify(headers: { authorization?: string; cookie?: string }): Promise<{ actor: AdminActor; session?: AdminSession & { id: string } } | undefined> {
    const header = headers.authorization;
    if (typeof header === 'string' && header.length) {
      const m = /^bearer\s+(\S{1,512})\s*$/i.exec(header);
      const actor = m ? await this.bearer(m[1]!) : undefined;
      return actor ? { actor } : undefined;
    }
    const sessionId = sessionIdFrom(headers.cookie, this.sessionCookie);
    const session = sessionId ? await this.sessions.get(sessionId) : undefined;
    if (!session) return undefined;
    // A session record can outlive its user or password (a login that checked the old password
    // while it was being changed, a crash between two writes, a restored backup): it is refused
    // once the user is gone or their credential changed, whatever records are left.
    if (!sessionMatchesUser(session, await this.users.getUser(session.username))) return undefined;
    return { actor: { kind: 'user', name: session.username }, session: { ...session, id: sessionId! } };
  }

  /**
   * The attempt is counted before the password is checked, so a parallel burst gets no more checks
   * than the limits allow (10 per user, 50 per address in 15 minutes); a right password gives its
   * count back. Failed logins are kept apart from the audit log, which keeps the successful ones.
   */
  async login(username: string, password: string, clientIp: string): Promise<{ sessionId: string; session: AdminSession }> {
    const admission = await this.throttle.begin(username, clientIp);
    if (!admission.admitted) {
      this.metrics.loginFailures.inc({ reason: 'throttled' });
      throw new GatewayError('rate_limited', 'too many failed logins; try again later', undefined, Math.max(1, Math.ceil(admission.retryAfterMs / 1000)));
    }
    const user = await this.users.checkPassword(username, password);
    if (!user) {
      this.metrics.loginFailures.inc({ reason: 'invalid_credentials' });
      await this.throttle.failed(username, clientIp);
      throw new GatewayError('invalid_credentials', 'wrong username or password');
    }
    await this.throttle.succeeded(username, clientIp);
    const created = await this.sessions.create(user);
    await this.audit.record({ kind: 'user', name: user.username }, 'auth.login', undefined, { ip: clientIp });
    return created;
  }

  /** Set-Cookie value for a session (or to clear it). */
  cookie(sessionId: string | undefined): string {
    const secure = this.https ? '; Secure' : '';
    const maxAge = sessionId ? this.config.ADMIN_SESSION_MINUTES * 60 : 0;
    return `${this.sessionCookie}=${sessionId ?? ''}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`;
  }
}

/** The value of the cookie `name` from a Cookie header, if any; other names (the other scheme's too) are ignored. */
export function sessionIdFrom(cookieHeader: string | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}
