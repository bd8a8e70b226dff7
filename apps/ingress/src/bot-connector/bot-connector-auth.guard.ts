import { Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { CHANNEL_ID_PATTERN, ChannelRepository, type Channel } from '@app/channels';
import { GatewayError } from '@app/errors';
import { BotConnectorTokenVerifier } from '@app/genesys-jwt';
import { GenesysSourceCheck } from '../ip-allowlist/genesys-source-check.service.js';
import { IngressMetrics } from '../metrics/ingress-metrics.service.js';
import { GenesysContactTracker } from './genesys-contact.tracker.js';
import { correlationIdOf, type AuthenticatedRequest } from './webhook-edge.js';

/**
 * The channel a Genesys webhook call addresses (`:channelId`), enabled, or a typed error. JSON
 * bodies only where a body is expected: anything else is refused before it is looked at.
 */
export async function resolveWebhookChannel(req: AuthenticatedRequest, channels: ChannelRepository, metrics: IngressMetrics, expectsBody: boolean): Promise<Channel> {
  if (expectsBody && !/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(String(req.headers['content-type'] ?? ''))) {
    metrics.rejected.inc({ reason: 'unsupported_media_type' });
    throw new GatewayError('unsupported_media_type', 'Content-Type must be application/json');
  }
  const channelId = String((req.params as Record<string, string>).channelId ?? '');
  if (!CHANNEL_ID_PATTERN.test(channelId)) {
    metrics.rejected.inc({ reason: 'channel_not_found' });
    throw new GatewayError('channel_not_found', 'unknown channel');
  }
  let channel: Channel | undefined;
  try {
    channel = await channels.get(channelId);
  } catch {
    throw new GatewayError('unavailable', 'configuration store unavailable; retry', undefined, 1);
  }
  if (!channel) {
    metrics.rejected.inc({ reason: 'channel_not_found' });
    throw new GatewayError('channel_not_found', `unknown channel "${channelId}"`);
  }
  if (!channel.enabled) {
    metrics.rejected.inc({ reason: 'channel_disabled' });
    throw new GatewayError('channel_disabled', `channel "${channelId}" is disabled`);
  }
  return channel;
}

/**
 * Resolves the channel from the URL, checks the caller's address when the channel restricts to
 * Genesys's ranges, and checks the Bot Connector credential Genesys sends as a
 * header (`Authorization: bearer <JWT>`). Runs before body validation, so nothing about an
 * unauthenticated request is processed further. The token is never logged, only its fingerprint.
 */
@Injectable()
export class BotConnectorAuthGuard implements CanActivate {
  private readonly logger = new Logger(BotConnectorAuthGuard.name);

  constructor(
    private readonly channels: ChannelRepository,
    private readonly verifier: BotConnectorTokenVerifier,
    private readonly metrics: IngressMetrics,
    private readonly contact: GenesysContactTracker,
    private readonly source: GenesysSourceCheck,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const channel = await resolveWebhookChannel(req, this.channels, this.metrics, true);
    await this.source.assertFromGenesys(channel, req);
    const channelId = channel.id;
    const header = req.headers.authorization;
    const verdict = this.verifier.verify(typeof header === 'string' ? header : undefined, channel.app);
    if (!verdict.ok) {
      this.metrics.rejected.inc({ reason: `auth_${verdict.reason}` });
      this.logger.warn(
        { channelId, reason: verdict.reason, tokenFingerprint: verdict.fingerprint, correlationId: correlationIdOf(req) },
        'Bot Connector credential rejected',
      );
      if (verdict.reason === 'missing' || verdict.reason === 'malformed_header') {
        throw new GatewayError('unauthenticated', 'missing or malformed Authorization header; expected "bearer <JWT>"');
      }
      throw new GatewayError('forbidden', 'invalid Bot Connector credential');
    }
    this.contact.seen(channel.id);
    req.channel = channel;
    return true;
  }
}
