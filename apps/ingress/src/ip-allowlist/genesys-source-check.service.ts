import { Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Channel } from '@app/channels';
import { GatewayError } from '@app/errors';
import { webhookRefusal } from '../bot-connector/webhook-edge.js';
import { IngressMetrics } from '../metrics/ingress-metrics.service.js';
import { GenesysIpRanges } from './genesys-ip-ranges.service.js';

/** Genesys retries a 5xx; the first fetch after a start or an outage usually lands well within this. */
const UNAVAILABLE_RETRY_AFTER_S = 30;

/**
 * The source-address check both webhook guards run once the credential is verified (so its 503
 * reveals nothing to a caller without one): for a channel with `genesys.restrictToGenesysIps`, the caller (`req.ip`, which
 * honours TRUST_PROXY_HOPS) must be inside Genesys's `bot-connector` ranges for its region.
 * Other channels return at once and cause no fetch. Only the IP is logged, never a header; the
 * caller gets the refusal every other unauthenticated webhook call gets.
 */
@Injectable()
export class GenesysSourceCheck {
  private readonly logger = new Logger(GenesysSourceCheck.name);

  constructor(
    private readonly ranges: GenesysIpRanges,
    private readonly metrics: IngressMetrics,
  ) {}

  async assertFromGenesys(channel: Channel, req: FastifyRequest): Promise<void> {
    if (!channel.genesys.restrictToGenesysIps) return;
    const ip = req.ip;
    const verdict = await this.ranges.verdict(channel, ip);
    if (verdict === 'allowed') return;
    if (verdict === 'unavailable') {
      this.metrics.rejected.inc({ reason: 'ip_ranges_unavailable' });
      this.logger.error({ channelId: channel.id, ip }, 'Genesys source ranges not loaded yet; Bot Connector call refused with 503');
      throw new GatewayError('unavailable', 'source ranges of Genesys not loaded yet', undefined, UNAVAILABLE_RETRY_AFTER_S);
    }
    this.metrics.rejected.inc({ reason: 'ip_not_allowed' });
    this.logger.warn({ channelId: channel.id, ip }, 'Bot Connector call from outside the Genesys bot-connector ranges refused');
    throw webhookRefusal();
  }
}
