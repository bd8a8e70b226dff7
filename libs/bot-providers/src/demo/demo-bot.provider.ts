import { setTimeout as wait } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import type { BotCallContext, BotProvider } from '../bot-provider.interface.js';
import { TransientBotError } from '../bot-provider.interface.js';
import type { BotResult, CanonicalTurn } from '../canonical.types.js';

const MENU = [
  { title: 'Show a card', payload: 'card' },
  { title: 'Show a carousel', payload: 'carousel' },
  { title: 'Show a list', payload: 'list' },
  { title: 'Send an attachment', payload: 'attachment' },
  { title: 'Show buttons', payload: 'buttons' },
  { title: 'Slow answer', payload: 'slow' },
  { title: 'Talk to an agent', payload: 'agent' },
  { title: 'Bye', payload: 'bye' },
];

/** Waits `ms`; an abort (the turn's deadline) ends the wait as a transient bot failure. */
const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  wait(ms, undefined, { signal }).catch(() => {
    throw new TransientBotError('aborted');
  });

/**
 * Deterministic built-in bot: every template kind, a handoff on "agent", an end on "bye", a slow
 * answer that misses the reply deadline, a failure on "fail", and a fallback for anything else.
 * Config: `latencyMs` (added to every answer), `slowMs` (the slow answer's delay, default 6500).
 */
@Injectable()
export class DemoBotProvider implements BotProvider {
  readonly name = 'demo';

  async handleTurn(turn: CanonicalTurn, ctx: BotCallContext): Promise<BotResult> {
    const latency = Number(ctx.config.latencyMs ?? 0);
    if (latency > 0) await sleep(latency, ctx.signal);
    const said = (turn.input.payload ?? turn.input.text).trim().toLowerCase();
    const word = said.replace(/[^a-z0-9 ]/g, '').trim();

    if (turn.input.kind === 'attachment') {
      return { messages: [{ type: 'text', text: `Thanks, I received ${turn.input.attachments.length} attachment(s).` }], intent: 'Attachment' };
    }
    if (word === '' || ['hi', 'hello', 'hey', 'menu', 'start', 'help'].includes(word)) {
      return {
        intent: 'Help',
        confidence: 1,
        messages: [
          { type: 'text', text: `Hi! I'm the demo bot (${turn.language}).` },
          { type: 'quickReplies', text: 'What would you like to see?', replies: MENU },
        ],
      };
    }
    switch (word) {
      case 'card':
        return {
          intent: 'Card',
          messages: [
            {
              type: 'card',
              card: {
                title: 'Order #1042',
                subtitle: 'Blue running shoes, size 42. Arrives Thursday.',
                imageUrl: 'https://picsum.photos/seed/shoes/400/300',
                buttons: [
                  { type: 'postback', title: 'Track order', payload: 'track' },
                  { type: 'url', title: 'Open order page', url: 'https://example.com/orders/1042' },
                ],
              },
            },
          ],
        };
      case 'carousel':
        return {
          intent: 'Carousel',
          messages: [
            {
              type: 'carousel',
              text: 'Here are our plans:',
              cards: ['Basic', 'Plus', 'Premium'].map((plan, i) => ({
                title: plan,
                subtitle: `${plan} plan, ${(i + 1) * 10} EUR per month`,
                imageUrl: `https://picsum.photos/seed/${plan.toLowerCase()}/400/300`,
                buttons: [
                  { type: 'postback' as const, title: `Choose ${plan}`, payload: `plan:${plan.toLowerCase()}` },
                  { type: 'url' as const, title: 'Details', url: `https://example.com/plans/${plan.toLowerCase()}` },
                ],
              })),
            },
          ],
        };
      case 'list':
        return {
          intent: 'List',
          messages: [{ type: 'list', title: 'Opening hours', items: ['Mon-Fri: 8:00-20:00', 'Sat: 9:00-14:00', 'Sun: closed'] }],
        };
      case 'attachment':
        return {
          intent: 'Attachment',
          messages: [
            {
              type: 'attachment',
              attachment: { kind: 'image', url: 'https://picsum.photos/seed/receipt/600/800', filename: 'receipt.jpg', mime: 'image/jpeg', caption: 'Your receipt' },
            },
          ],
        };
      case 'buttons':
        return {
          intent: 'Buttons',
          messages: [
            {
              type: 'buttons',
              text: 'How would you rate us?',
              buttons: [
                { type: 'postback', title: 'Great', payload: 'rate:5' },
                { type: 'postback', title: 'Okay', payload: 'rate:3' },
                { type: 'url', title: 'Leave a review', url: 'https://example.com/review' },
              ],
            },
          ],
        };
      case 'slow':
        await sleep(Number(ctx.config.slowMs ?? 6500), ctx.signal);
        return { intent: 'Slow', messages: [{ type: 'text', text: 'Sorry for the wait: that took a while to look up.' }] };
      case 'agent':
        return {
          intent: 'Agent',
          messages: [{ type: 'text', text: 'Sure, let me find someone for you.' }],
          handoff: { reason: 'bot_request', queue: 'General Support' },
        };
      case 'bye':
        return { intent: 'Bye', messages: [{ type: 'text', text: 'Goodbye, have a nice day!' }], end: {} };
      case 'fail':
        throw new TransientBotError('demo bot asked to fail');
      case 'track':
        return { intent: 'Track', messages: [{ type: 'text', text: 'Order #1042 left our warehouse this morning.' }] };
      default:
        if (said.startsWith('plan:') || said.startsWith('rate:')) {
          return { intent: 'Choice', messages: [{ type: 'text', text: `You picked ${said.split(':')[1]}. Thanks!` }] };
        }
        return {
          fallback: true,
          intent: 'Fallback',
          confidence: 0.2,
          messages: [{ type: 'text', text: "Sorry, I didn't get that. Type \"menu\" to see what I can do." }],
        };
    }
  }
}
