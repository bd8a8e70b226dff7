import { constantTimeEqual } from '@app/secrets';
import { Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ChannelRepository } from '@app/channels';
import { IngressConfig } from '@app/config';
import { admitWebhookCall, mayVerifyWith, refuseWebhookCall, type AuthenticatedRequest, type WebhookCredentialCheck, type WebhookGate } from '../bot-connector/webhook-edge.js';
import { GenesysSourceCheck } from '../ip-allowlist/genesys-source-check.service.js';
import { IngressMetrics } from '../metrics/ingress-metrics.service.js';
import { GenesysContactTracker } from '../bot-connector/genesys-contact.tracker.js';

/**
 * Digital Bot Connector (v2) calls carry the integration's connection secret as a header under
 * the name the admin gave it in Genesys's Credentials; missing or wrong is 403, as the spec asks
 * (reference §3.1). A channel without a `digitalBotConnector` section does not serve v2 at all.
 * A channel restricted to Genesys's ranges then refuses other callers. All of these are the one
 * refusal of webhook-edge.ts: the header's name and whether the channel exists or serves v2 are
 * for the logs only. The sequence is webhook-edge.ts's `admitWebhookCall`; this guard supplies
 * the secret check.
 */
@Injectable()
export class DigitalBotConnectorAuthGuard implements CanActivate {
  private readonly logger = new Logger(DigitalBotConnectorAuthGuard.name);
  private readonly gate: WebhookGate;

  constructor(channels: ChannelRepository, metrics: IngressMetrics, contact: GenesysContactTracker, source: GenesysSourceCheck, config: IngressConfig) {
    this.gate = { metrics, logger: this.logger, devSecretsAllowed: config.devSecretsAllowed, channels, source, contact };
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await admitWebhookCall(context.switchToHttp().getRequest<AuthenticatedRequest>(), this.gate, this.checkSecret);
    return true;
  }

  /** The secret header is named per channel, so everything here needs the channel. */
  private readonly checkSecret: WebhookCredentialCheck = (req) => (channel) => {
    const dbc = channel.genesys.digitalBotConnector;
    if (!dbc) throw refuseWebhookCall(req, this.gate, 'dbc_not_configured', {}, 'Digital Bot Connector call for a channel without a genesys.digitalBotConnector section refused');
    const raw = req.headers[dbc.secretHeader];
    const given = typeof raw === 'string' ? raw : undefined;
    if (given === undefined || !mayVerifyWith(dbc.secret, this.gate.devSecretsAllowed) || !constantTimeEqual(given, dbc.secret)) {
      throw refuseWebhookCall(req, this.gate, given === undefined ? 'auth_missing' : 'auth_invalid', { header: dbc.secretHeader }, 'Digital Bot Connector secret rejected');
    }
  };
}
