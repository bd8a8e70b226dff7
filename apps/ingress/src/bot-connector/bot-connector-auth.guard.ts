import { Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ChannelRepository } from '@app/channels';
import { IngressConfig } from '@app/config';
import { GatewayError } from '@app/errors';
import { BotConnectorTokenVerifier } from '@app/genesys-jwt';
import { GenesysSourceCheck } from '../ip-allowlist/genesys-source-check.service.js';
import { IngressMetrics } from '../metrics/ingress-metrics.service.js';
import { GenesysContactTracker } from './genesys-contact.tracker.js';
import { assertJsonBody, noteRefusal, refuseWebhookCall, resolveWebhookChannel, verifiableApp, type AuthenticatedRequest, type WebhookEdge } from './webhook-edge.js';

/**
 * Checks the Bot Connector credential Genesys sends as a header (`Authorization: bearer <JWT>`),
 * then, for a channel restricted to Genesys's ranges, the caller's address. Runs before body
 * validation, so nothing about an unauthenticated request is processed further. The token is
 * never logged, only its fingerprint.
 *
 * A header that is missing or not a bearer credential is a 401 decided before the channel is
 * looked up, so that answer is the same for every channel; every later refusal is the one 403.
 */
@Injectable()
export class BotConnectorAuthGuard implements CanActivate {
  private readonly logger = new Logger(BotConnectorAuthGuard.name);
  private readonly edge: WebhookEdge;

  constructor(
    private readonly channels: ChannelRepository,
    private readonly verifier: BotConnectorTokenVerifier,
    private readonly metrics: IngressMetrics,
    private readonly contact: GenesysContactTracker,
    private readonly source: GenesysSourceCheck,
    config: IngressConfig,
  ) {
    this.edge = { metrics, logger: this.logger, devSecretsAllowed: config.devSecretsAllowed };
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    assertJsonBody(req, this.metrics);
    const header = req.headers.authorization;
    const bearer = this.verifier.readBearer(typeof header === 'string' ? header : undefined);
    if (!bearer.ok) {
      if (bearer.reason === 'too_large') throw refuseWebhookCall(req, this.edge, 'auth_too_large', {}, 'Bot Connector credential rejected');
      noteRefusal(req, this.edge, `auth_${bearer.reason}`, {}, 'Bot Connector credential rejected');
      throw new GatewayError('unauthenticated', 'missing or malformed Authorization header; expected "bearer <JWT>"');
    }
    const channel = await resolveWebhookChannel(req, this.channels, this.edge);
    const verdict = this.verifier.verifyToken(bearer.token, verifiableApp(channel.app, this.edge.devSecretsAllowed));
    if (!verdict.ok) throw refuseWebhookCall(req, this.edge, `auth_${verdict.reason}`, { tokenFingerprint: verdict.fingerprint }, 'Bot Connector credential rejected');
    // After the credential: its 503 (ranges not loaded yet) would otherwise tell anyone that the
    // channel exists and how it is set up. A stolen credential is still refused from elsewhere.
    await this.source.assertFromGenesys(channel, req);
    this.contact.seen(channel.id);
    req.channel = channel;
    return true;
  }
}
