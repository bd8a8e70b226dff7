import type { Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CHANNEL_ID_PATTERN, ChannelRepository, isDevSecret, type Channel, type ChannelApp } from '@app/channels';
import { GatewayError } from '@app/errors';
import type { GenesysSourceCheck } from '../ip-allowlist/genesys-source-check.service.js';
import type { IngressMetrics } from '../metrics/ingress-metrics.service.js';
import type { GenesysContactTracker } from './genesys-contact.tracker.js';

/**
 * What the v1 and v2 webhooks share, so each rule exists once: reading what the caller sent
 * (correlation id, channel id, content type) and refusing it. Whoever calls a webhook is
 * unauthenticated until its credential has been checked against the channel, so everything
 * refused up to then gets one answer, and the reason goes only to the logs and the `rejected`
 * metric.
 */

/** `receivedAt` is stamped by an onRequest hook (main.ts) so the deadline counts from arrival. */
export type AuthenticatedRequest = FastifyRequest & { channel?: Channel; receivedAt?: number };

/** Where a guard counts and logs its refusals, and whether DEV-ONLY secrets may verify a caller. */
export interface WebhookEdge {
  metrics: IngressMetrics;
  logger: Logger;
  devSecretsAllowed: boolean;
}

/**
 * Whether a secret may prove a caller here. A `DEV-ONLY` secret is public (it ships in the
 * repository): where development settings are not allowed it never verifies, whatever Redis holds
 * (a record an older version or a development process wrote), not only because the admin API and
 * the file sync refuse to enable such a channel.
 */
export function mayVerifyWith(secret: string, devSecretsAllowed: boolean): boolean {
  return devSecretsAllowed || !isDevSecret(secret);
}

/** The channel's app credential with only the secrets that may verify a caller here. */
export function verifiableApp(app: ChannelApp, devSecretsAllowed: boolean): ChannelApp {
  return app.clientSecrets.every((s) => mayVerifyWith(s, devSecretsAllowed)) ? app : { ...app, clientSecrets: app.clientSecrets.filter((s) => mayVerifyWith(s, devSecretsAllowed)) };
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Genesys's `inin-correlation-id`, when it is one. The header is whatever the caller put there
 * (up to Node's 16 KB header limit), and it ends up in log lines and transcripts.
 */
export function correlationIdOf(req: FastifyRequest): string | undefined {
  const raw = req.headers['inin-correlation-id'];
  return typeof raw === 'string' && CORRELATION_ID.test(raw) ? raw : undefined;
}

/** The `:channelId` of the URL when it could name a channel; for logs, never the raw segment. */
function channelIdOf(req: FastifyRequest): string | undefined {
  const raw = (req.params as Record<string, unknown> | undefined)?.channelId;
  return typeof raw === 'string' && CHANNEL_ID_PATTERN.test(raw) ? raw : undefined;
}

/**
 * The answer to every refusal before the caller is authenticated: unknown or disabled channel,
 * a channel without v2, an address outside Genesys's ranges, a wrong credential. Different
 * answers would let anyone map which channels exist and how each is set up.
 */
export const WEBHOOK_REFUSAL_MESSAGE = 'invalid credential or channel';

export function webhookRefusal(): GatewayError {
  return new GatewayError('forbidden', WEBHOOK_REFUSAL_MESSAGE);
}

/** Counts and logs a refusal with its real reason (the metric label and the log say the same). */
export function noteRefusal(req: FastifyRequest, edge: WebhookEdge, reason: string, detail: Record<string, unknown>, message: string): void {
  edge.metrics.rejected.inc({ reason });
  edge.logger.warn({ channelId: channelIdOf(req), reason, ...detail, correlationId: correlationIdOf(req) }, message);
}

/** `noteRefusal`, then the one answer the caller gets (for the guard to throw). */
export function refuseWebhookCall(req: FastifyRequest, edge: WebhookEdge, reason: string, detail: Record<string, unknown>, message: string): GatewayError {
  noteRefusal(req, edge, reason, detail, message);
  return webhookRefusal();
}

/** JSON bodies only: anything else is refused before it is looked at, whatever the channel. */
export function assertJsonBody(req: FastifyRequest, metrics: IngressMetrics): void {
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(String(req.headers['content-type'] ?? ''))) {
    metrics.rejected.inc({ reason: 'unsupported_media_type' });
    throw new GatewayError('unsupported_media_type', 'Content-Type must be application/json');
  }
}

/** The channel a Genesys webhook call addresses (`:channelId`), enabled; otherwise the refusal. */
export async function resolveWebhookChannel(req: FastifyRequest, channels: ChannelRepository, edge: WebhookEdge): Promise<Channel> {
  const channelId = channelIdOf(req);
  const refuse = (reason: string) => refuseWebhookCall(req, edge, reason, {}, 'webhook call for an unknown or disabled channel refused');
  if (!channelId) throw refuse('channel_not_found');
  let channel: Channel | undefined;
  try {
    channel = await channels.get(channelId);
  } catch {
    throw new GatewayError('unavailable', 'configuration store unavailable; retry', undefined, 1);
  }
  if (!channel) throw refuse('channel_not_found');
  if (!channel.enabled) throw refuse('channel_disabled');
  return channel;
}

/** What the guard sequence uses besides the refusal log: the channel store, the source-address check, the last-contact note. */
export interface WebhookGate extends WebhookEdge {
  channels: ChannelRepository;
  source: GenesysSourceCheck;
  contact: GenesysContactTracker;
}

/**
 * One webhook's credential scheme, the only part its guard supplies. Called with the request, it
 * reads the credential and throws for anything decided without the channel (so that answer is
 * the same for every channel); it returns the check against the addressed channel, which throws
 * the refusal unless the credential is right for it.
 */
export type WebhookCredentialCheck = (req: AuthenticatedRequest) => (channel: Channel) => void;

/**
 * The sequence both webhook guards run, in this order: a POST body must be JSON; the credential
 * as far as it can be read without the channel; the channel (known, enabled); the credential
 * against the channel; the caller's address for a channel restricted to Genesys's ranges. Then
 * the call is Genesys's: the contact is noted and the channel handed to the controller.
 */
export async function admitWebhookCall(req: AuthenticatedRequest, gate: WebhookGate, checkCredential: WebhookCredentialCheck): Promise<Channel> {
  if (req.method === 'POST') assertJsonBody(req, gate.metrics);
  const verifyFor = checkCredential(req);
  const channel = await resolveWebhookChannel(req, gate.channels, gate);
  verifyFor(channel);
  // After the credential: its 503 (ranges not loaded yet) would otherwise tell anyone that the
  // channel exists and how it is set up. A stolen credential is still refused from elsewhere.
  await gate.source.assertFromGenesys(channel, req);
  gate.contact.seen(channel.id);
  req.channel = channel;
  return channel;
}
