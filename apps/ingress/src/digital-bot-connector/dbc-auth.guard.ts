import { constantTimeEqual } from '@app/secrets';
import { Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ChannelRepository } from '@app/channels';
import { IngressConfig } from '@app/config';
import { assertJsonBody, mayVerifyWith, refuseWebhookCall, resolveWebhookChannel, type AuthenticatedRequest, type WebhookEdge } from '../bot-connector/webhook-edge.js';
import { GenesysSourceCheck } from '../ip-allowlist/genesys-source-check.service.js';
import { IngressMetrics } from '../metrics/ingress-metrics.service.js';
import { GenesysContactTracker } from '../bot-connector/genesys-contact.tracker.js';

/**
 * Digital Bot Connector (v2) calls carry the integration's connection secret as a header under
 * the name the admin gave it in Genesys's Credentials; missing or wrong is 403, as the spec asks
 * (reference §3.1). A channel without a `digitalBotConnector` section does not serve v2 at all.
 * A channel restricted to Genesys's ranges then refuses other callers. All of these are the one
 * refusal of webhook-edge.ts: the header's name and whether the channel exists or serves v2 are
 * for the logs only.
 */
@Injectable()
export class DigitalBotConnectorAuthGuard implements CanActivate {
  private readonly logger = new Logger(DigitalBotConnectorAuthGuard.name);
  private readonly edge: WebhookEdge;

  constructor(
    private readonly channels: ChannelRepository,
    private readonly metrics: IngressMetrics,
    private readonly contact: GenesysContactTracker,
    private readonly source: GenesysSourceCheck,
    config: IngressConfig,
  ) {
    this.edge = { metrics, logger: this.logger, devSecretsAllowed: config.devSecretsAllowed };
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (req.method === 'POST') assertJsonBody(req, this.metrics);
    const channel = await resolveWebhookChannel(req, this.channels, this.edge);
    const dbc = channel.genesys.digitalBotConnector;
    if (!dbc) throw refuseWebhookCall(req, this.edge, 'dbc_not_configured', {}, 'Digital Bot Connector call for a channel without a genesys.digitalBotConnector section refused');
    const raw = req.headers[dbc.secretHeader];
    const given = typeof raw === 'string' ? raw : undefined;
    if (given === undefined || !mayVerifyWith(dbc.secret, this.edge.devSecretsAllowed) || !constantTimeEqual(given, dbc.secret)) {
      throw refuseWebhookCall(req, this.edge, given === undefined ? 'auth_missing' : 'auth_invalid', { header: dbc.secretHeader }, 'Digital Bot Connector secret rejected');
    }
    // After the secret, as in the v1 guard: the 503 for unloaded ranges must not reveal the channel.
    await this.source.assertFromGenesys(channel, req);
    this.contact.seen(channel.id);
    req.channel = channel;
    return true;
  }
}
