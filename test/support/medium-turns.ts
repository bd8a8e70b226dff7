import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { BotConnectorRequest } from '@app/genesys';
import { TurnStore, sessionKeyOf, turnIdOf, type TurnEnvelope, type TurnProtocol, type TurnResult } from '@app/store';

/** A turn as the ingress stores it (TurnDispatcher's envelope), for tests that accept turns themselves. */
export function envelopeOf(
  channelId: string,
  request: BotConnectorRequest,
  opts: { ingressId: string; protocol?: TurnProtocol; deadlineAt?: number; botId?: string },
): TurnEnvelope {
  return {
    protocol: opts.protocol ?? 'v1',
    seq: 0,
    turnId: turnIdOf(channelId, request.botSessionId, request.messageId, () => randomUUID().replace(/-/g, '')),
    channelId,
    botId: opts.botId ?? 'bot1',
    sessionKey: sessionKeyOf(channelId, request.botSessionId),
    acceptedAt: Date.now(),
    deadlineAt: opts.deadlineAt ?? Date.now() + 5000,
    ingressId: opts.ingressId,
    request,
  };
}

/** A Bot Connector request of a session; `messageId` makes a redelivery the same turn. */
export function requestOf(botSessionId: string, text: string, extra: Partial<BotConnectorRequest> = {}): BotConnectorRequest {
  return {
    botId: 'Bot One',
    botVersion: '1.0',
    botSessionId,
    messageId: randomUUID(),
    inputMessage: { type: 'Text', text },
    languageCode: 'en-us',
    botSessionTimeout: 60,
    genesysConversationId: 'conv-1',
    ...extra,
  } as BotConnectorRequest;
}

/** Everything in an ingress process's reply stream so far (what a waiting ingress would have been handed). */
export async function repliesFor(store: TurnStore, connection: Redis, ingressId: string): Promise<Map<string, TurnResult>> {
  const { replies } = await store.readReplies(connection, ingressId, '0-0', 1);
  return new Map(replies.map((r) => [r.turnId, JSON.parse(r.resultJson) as TurnResult]));
}
