import { Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ChannelRepository } from '@app/channels';
import { IngressConfig } from '@app/config';
import { GatewayError } from '@app/errors';
import { BotConnectorTokenVerifier } from '@app/genesys-jwt';
import { GenesysSourceCheck } from '../ip-allowlist/genesys-source-check.service.js';
import { IngressMetrics } from '../metrics/ingress-metrics.service.js';
import { GenesysContactTracker } from './genesys-contact.tracker.js';
import { admitWebhookCall, noteRefusal, refuseWebhookCall, verifiableApp, type AuthenticatedRequest, type WebhookCredentialCheck, type WebhookGate } from './webhook-edge.js';

/**
 * Checks the Bot Connector credential Genesys sends as a header (`Authorization: bearer <JWT>`),
 * then, for a channel restricted to Genesys's ranges, the caller's address. Runs before body
 * validation, so nothing about an unauthenticated request is processed further. The token is
 * never logged, only its fingerprint.
 *
 * A header that is missing or not a bearer credential is a 401 decided before the channel is
 * looked up, so that answer is the same for every channel; every later refusal is the one 403.
 * The sequence is webhook-edge.ts's `admitWebhookCall`; this guard supplies the bearer check.
 */
@Injectable()
export class BotConnectorAuthGuard implements CanActivate {
  private readonly logger = new Logger(BotConnectorAuthGuard.name);
  private readonly gate: WebhookGate;

  constructor(
    channels: ChannelRepository,
    private readonly verifier: BotConnectorTokenVerifier,
    metrics: IngressMetrics,
    contact: GenesysContactTracker,
    source: GenesysSourceCheck,
    config: IngressConfig,
  ) {
    this.gate = { metrics, logger: this.logger, devSecretsAllowed: config.devSecretsAllowed, channels, source, contact };
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await admitWebhookCall(context.switchToHttp().getRequest<AuthenticatedRequest>(), this.gate, this.checkBearer);
    return true;
  }

  private readonly checkBearer: WebhookCredentialCheck = (req) => {
    const header = req.headers.authorization;
    const bearer = this.verifier.readBearer(typeof header === 'string' ? header : undefined);
    if (!bearer.ok) {
      if (bearer.reason === 'too_large') throw refuseWebhookCall(req, this.gate, 'auth_too_large', {}, 'Bot Connector credential rejected');
      noteRefusal(req, this.gate, `auth_${bearer.reason}`, {}, 'Bot Connector credential rejected');
      throw new GatewayError('unauthenticated', 'missing or malformed Authorization header; expected "bearer <JWT>"');
    }
    return (channel) => {
      const verdict = this.verifier.verifyToken(bearer.token, verifiableApp(channel.app, this.gate.devSecretsAllowed));
      if (!verdict.ok) throw refuseWebhookCall(req, this.gate, `auth_${verdict.reason}`, { tokenFingerprint: verdict.fingerprint }, 'Bot Connector credential rejected');
    };
  };
}
