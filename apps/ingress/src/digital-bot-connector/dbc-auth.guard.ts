import { constantTimeEqual } from '@app/secrets';
import { Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ChannelRepository } from '@app/channels';
import { GatewayError } from '@app/errors';
import { resolveWebhookChannel } from '../bot-connector/bot-connector-auth.guard.js';
import { correlationIdOf, type AuthenticatedRequest } from '../bot-connector/webhook-edge.js';
import { GenesysSourceCheck } from '../ip-allowlist/genesys-source-check.service.js';
import { IngressMetrics } from '../metrics/ingress-metrics.service.js';
import { GenesysContactTracker } from '../bot-connector/genesys-contact.tracker.js';


/**
 * Digital Bot Connector (v2) calls carry the integration's connection secret as a header under
 * the name the admin gave it in Genesys's Credentials; missing or wrong is 403, as the spec asks
 * (reference §3.1). A channel without a `digitalBotConnector` section does not serve v2 at all.
 * A channel restricted to Genesys's ranges refuses other callers first, before saying either.
 */
@Injectable()
export class DigitalBotConnectorAuthGuard implements CanActivate {
  private readonly logger = new Logger(DigitalBotConnectorAuthGuard.name);

  constructor(
    private readonly channels: ChannelRepository,
    private readonly metrics: IngressMetrics,
    private readonly contact: GenesysContactTracker,
    private readonly source: GenesysSourceCheck,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const channel = await resolveWebhookChannel(req, this.channels, this.metrics, req.method === 'POST');
    await this.source.assertFromGenesys(channel, req);
    const dbc = channel.genesys.digitalBotConnector;
    if (!dbc) {
      this.metrics.rejected.inc({ reason: 'dbc_not_configured' });
      throw new GatewayError('not_found', `channel "${channel.id}" does not serve the Digital Bot Connector (no genesys.digitalBotConnector section)`);
    }
    const raw = req.headers[dbc.secretHeader];
    const given = typeof raw === 'string' ? raw : undefined;
    if (given === undefined || !constantTimeEqual(given, dbc.secret)) {
      this.metrics.rejected.inc({ reason: given === undefined ? 'auth_missing' : 'auth_invalid' });
      this.logger.warn({ channelId: channel.id, header: dbc.secretHeader, present: given !== undefined, correlationId: correlationIdOf(req) }, 'Digital Bot Connector secret rejected');
      throw new GatewayError('forbidden', `missing or invalid connection secret (header ${dbc.secretHeader})`);
    }
    this.contact.seen(channel.id);
    req.channel = channel;
    return true;
  }
}
