import { createHash } from 'node:crypto';
import { withoutSecrets, type Channel } from '@app/channels';
import { genesysHosts } from '@app/genesys';
import { DEFAULT_PRIVACY_POLICY } from '@app/privacy';

/** First 12 hex of SHA-256: names a secret in the console without revealing it. */
export function fingerprintOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 12);
}

/** A channel as the admin API shows it: every setting, no secret (only whether one is set). */
export function channelView(channel: Channel, publicBaseUrl: string, genesysBaseUrl: string | undefined, secretPaths: (provider: string) => readonly string[]) {
  const { oauth, digitalBotConnector: dbc, ...genesys } = channel.genesys;
  let loginUrl: string | undefined;
  try {
    // Where the gateway really sends its Genesys calls: the channel's override, the deployment's, or the region.
    loginUrl = oauth?.baseUrl ?? genesysBaseUrl?.replace(/\/+$/, '') ?? genesysHosts(channel.genesys.environment).login;
  } catch {
    loginUrl = undefined;
  }
  return {
    id: channel.id,
    name: channel.name,
    enabled: channel.enabled,
    source: channel.source,
    webhookUrl: `${publicBaseUrl}/genesys/${channel.id}/botconnector`,
    ...(dbc ? { dbcUrl: `${publicBaseUrl}/genesys/${channel.id}/dbc` } : {}),
    oauthCallbackUrl: `${publicBaseUrl}/oauth/genesys/callback`,
    genesys: {
      environment: genesys.environment,
      loginUrl,
      integrationId: genesys.integrationId ?? null,
      oauth: oauth
        ? { clientId: oauth.clientId, clientSecretSet: !!oauth.clientSecret, grant: oauth.grant, pkce: oauth.pkce, scopes: oauth.scopes, ...(oauth.baseUrl ? { baseUrl: oauth.baseUrl } : {}) }
        : null,
      digitalBotConnector: dbc ? { secretHeader: dbc.secretHeader, secretSet: !!dbc.secret, inlineWindowMs: dbc.inlineWindowMs } : null,
      participantData: genesys.participantData ?? null,
      restrictToGenesysIps: genesys.restrictToGenesysIps ?? false,
    },
    app: { clientId: channel.app.clientId, secrets: channel.app.clientSecrets.map((s) => ({ fingerprint: fingerprintOf(s) })) },
    replyDeadlineMs: channel.replyDeadlineMs,
    deadlinePolicy: channel.deadlinePolicy,
    holdMessage: channel.holdMessage,
    defaultLanguage: channel.defaultLanguage,
    handoff: channel.handoff,
    templates: channel.templates,
    circuitBreaker: channel.circuitBreaker,
    // Provider configs hold backend credentials: those are write-only (only which ones are set is shown).
    bots: channel.bots.map((b) => {
      const { config, secretsSet } = withoutSecrets(b.provider.config, secretPaths(b.provider.name));
      return {
        ...b,
        provider: { name: b.provider.name, timeoutMs: b.provider.timeoutMs, retries: b.provider.retries, ...(typeof config.url === 'string' ? { url: config.url } : {}), config, secretsSet },
      };
    }),
    notifications: channel.notifications,
    privacy: channel.privacy ?? DEFAULT_PRIVACY_POLICY,
  };
}

export type ChannelView = ReturnType<typeof channelView>;
