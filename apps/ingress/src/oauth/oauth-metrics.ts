import { Injectable } from '@nestjs/common';
import { ChannelRepository } from '@app/channels';
import { IngressMetrics } from '../metrics/ingress-metrics.service.js';
import { GenesysOAuthService } from './genesys-oauth.service.js';

/**
 * `gbg_oauth_reauthorize_needed{channel}`: 1 for each enabled channel whose Genesys OAuth needs an
 * administrator (grant revoked, client changed, code grant never authorized), the same verdict the
 * console shows. Until then its v2 replies and notifications wait in the outbox and are given up.
 * Read at scrape time; a disabled channel is not alerted on (it takes no turns).
 */
@Injectable()
export class OAuthMetrics {
  constructor(metrics: IngressMetrics, channels: ChannelRepository, oauth: GenesysOAuthService) {
    metrics.m.gauge('gbg_oauth_reauthorize_needed', 'Enabled channels whose Genesys OAuth must be authorized again (1 each), as the console shows it', ['channel'], async function () {
      const list = await channels.list().catch(() => undefined);
      if (!list) return;
      const needed = await Promise.all(
        list.filter((c) => c.enabled && c.genesys.oauth).map(async (c) => [c.id, await oauth.status(c.id).then((s) => s.reauthorizeNeeded, () => undefined)] as const),
      );
      // A channel removed since the last scrape must not keep its series.
      this.reset();
      for (const [channel, yes] of needed) if (yes !== undefined) this.set({ channel }, yes ? 1 : 0);
    });
  }
}
