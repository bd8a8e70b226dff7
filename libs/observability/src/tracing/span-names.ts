/**
 * The gateway's span names and attribute keys, one place for both processes and the tests. Names
 * say what the span times. Attributes hold ids, counts and outcomes only: never customer text,
 * bot text, or a secret.
 */
export const SpanNames = {
  /** Worker: one turn, continuing the trace of the webhook request that brought it. */
  turn: 'turn',
  /** Worker: one attempt at the bot backend (retries are siblings). */
  botCall: 'bot.call',
  /** Worker: bot messages to Genesys structured messages. */
  render: 'render',
  /** Worker: the completion script that stores the result and hands it to the ingress or the outbox. */
  complete: 'turn.complete',
  /** Worker: one v2 result sent from the session's outbox through the Genesys API. */
  outboxSend: 'outbox.send',
  /** Worker: one proactive notification sent through the Genesys API. */
  notificationSend: 'notification.send',
} as const;

/** Client spans of Genesys Platform API calls, one per HTTP attempt. */
export const GenesysSpanNames = {
  outgoingMessage: 'genesys.outgoing',
  participantAttributes: 'genesys.participant_attributes',
  getConversation: 'genesys.get_conversation',
  putBotList: 'genesys.put_bot_list',
  getBotList: 'genesys.get_bot_list',
  ipRanges: 'genesys.ip_ranges',
  agentlessMessage: 'genesys.agentless_message',
} as const;
export type GenesysSpanName = (typeof GenesysSpanNames)[keyof typeof GenesysSpanNames];

export const SpanAttributes = {
  turnId: 'gbg.turn.id',
  channelId: 'gbg.channel.id',
  protocol: 'gbg.turn.protocol',
  seq: 'gbg.turn.seq',
  outcome: 'gbg.turn.outcome',
  handoffReason: 'gbg.turn.handoff_reason',
  queueWaitMs: 'gbg.turn.queue_wait_ms',
  answeredBy: 'gbg.turn.answered_by',
  /** Semantic-convention messaging attributes of the turn span: the BullMQ job that ran it. */
  messagingSystem: 'messaging.system',
  messagingDestination: 'messaging.destination.name',
  messagingMessageId: 'messaging.message.id',
  attempt: 'gbg.bot.attempt',
  provider: 'gbg.bot.provider',
  notificationId: 'gbg.notification.id',
  /** Genesys's inin-correlation-id of the webhook request (a UUID it generates). */
  correlationId: 'genesys.correlation_id',
} as const;
