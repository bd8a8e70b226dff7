import { Injectable } from '@nestjs/common';
import type {
  AttachmentKind,
  CanonicalAttachment,
  CanonicalButton,
  CanonicalCard,
  CanonicalMessage,
} from '@app/bot-providers/canonical.types.js';
import type {
  AttachmentMediaType,
  GenesysAttachment,
  GenesysCard,
  GenesysCardAction,
  ReplyContent,
  ReplyMessage,
} from '@app/genesys';
import type { TemplateCapabilities } from './capability-profiles.js';
import { splitText, truncateAtWord } from './text-splitting.js';

/**
 * One step down the degrade chain, for logs and metrics. `from` and `to` name forms: `text`,
 * `quickReplies`, `quickReply`, `buttons`, `button`, `linkButton`, `defaultAction`, `card`,
 * `carousel`, `list`, `attachment`, `numberedText`, or `none` when something was dropped.
 */
export interface Degradation {
  messageIndex: number;
  from: string;
  to: string;
  reason: string;
}

/** An option shown as a numbered line; a customer typing `number` means `payload`. */
export interface NumberedChoice {
  number: number;
  title: string;
  payload: string;
}

export interface RenderResult {
  replyMessages: ReplyMessage[];
  degradations: Degradation[];
  choices: NumberedChoice[];
  /** Payloads made unique with a `#<n>` suffix, mapped to the bot's own payload. */
  payloadAliases: Record<string, string>;
}

/**
 * Turns the canonical messages of one bot turn into Genesys reply messages that the channel's
 * messenger can show, stepping features down (carousel → cards → numbered text) where it cannot.
 * Pure: the same input always gives the same output, and nothing is kept between calls.
 */
@Injectable()
export class StructuredMessageRenderer {
  render(messages: CanonicalMessage[], caps: TemplateCapabilities): RenderResult {
    const run = new RenderRun(caps);
    messages.forEach((message, index) => run.render(message, index));
    return run.result();
  }
}

/**
 * Genesys publishes no card title limit. Messenger's generic template cuts titles at 80, the
 * tightest limit among the card channels we know of, so a button prompt longer than that goes
 * whole into the description and a shortened copy becomes the title.
 */
const MAX_CARD_TITLE_LENGTH = 80;

const MEDIA_TYPES: Readonly<Record<AttachmentKind, AttachmentMediaType>> = {
  image: 'Image',
  video: 'Video',
  audio: 'Audio',
  file: 'File',
  link: 'Link',
};

type MessageOf<T extends CanonicalMessage['type']> = Extract<CanonicalMessage, { type: T }>;
type PostbackButton = Extract<CanonicalButton, { type: 'postback' }>;

/** What a numbered-text fallback lists: choices get a number, links are written out. */
type TextOption = { title: string; payload: string } | { title: string; url: string };

/** A card with its unusable buttons already removed, and why it cannot be sent as a card, if so. */
interface PreparedCard {
  card: CanonicalCard;
  buttons: CanonicalButton[];
  defaultAction?: CanonicalButton;
  problem?: string;
}

/**
 * Genesys tells clicks apart by the text+payload pair of the buttons in one structured message,
 * and for carousels asks for payloads unique across all cards, so payloads are made unique per
 * message. A repeated payload is the bot saying two buttons mean the same thing; the customer sees
 * exactly the buttons the bot wrote, so nothing is lost and no degradation is recorded. The suffix
 * comes back in the ButtonResponse, so every renamed payload is reported in `payloadAliases` and
 * the worker maps the click back to the bot's own payload.
 */
class PayloadRegistry {
  private readonly taken = new Set<string>();

  constructor(private readonly aliases: Record<string, string>) {}

  claim(payload: string): string {
    let candidate = payload;
    for (let n = 2; this.taken.has(candidate); n += 1) {
      candidate = `${payload}#${n}`;
    }
    this.taken.add(candidate);
    if (candidate !== payload) this.aliases[candidate] = payload;
    return candidate;
  }
}

/** The state of one `render` call: output so far, and the next free choice number. */
class RenderRun {
  private readonly replyMessages: ReplyMessage[] = [];
  private readonly degradations: Degradation[] = [];
  private readonly choices: NumberedChoice[] = [];
  private readonly payloadAliases: Record<string, string> = {};
  private messageIndex = 0;

  constructor(private readonly caps: TemplateCapabilities) {}

  result(): RenderResult {
    return { replyMessages: this.replyMessages, degradations: this.degradations, choices: this.choices, payloadAliases: this.payloadAliases };
  }

  render(message: CanonicalMessage, index: number): void {
    this.messageIndex = index;
    switch (message.type) {
      case 'text':
        return this.emitText(message.text, 'text');
      case 'quickReplies':
        return this.quickReplies(message);
      case 'buttons':
        return this.buttons(message);
      case 'list':
        return this.list(message);
      case 'card':
        return this.card(message.card);
      case 'carousel':
        return this.carousel(message);
      case 'attachment':
        return this.attachment(message.attachment);
      default:
        // Bots answer over HTTP, so a type newer than this renderer can reach it at run time.
        this.degrade(String((message as { type?: unknown }).type), 'none', 'unknown message type');
    }
  }

  private quickReplies(message: MessageOf<'quickReplies'>): void {
    const replies = (message.replies ?? []).filter((reply) => {
      const problem = !reply.title?.trim()
        ? 'quick reply without a title'
        : !reply.payload?.trim()
          ? 'quick reply without a payload'
          : undefined;
      if (problem) {
        this.degrade('quickReply', 'none', problem);
      }
      return !problem;
    });
    if (replies.length === 0) {
      this.degrade('quickReplies', 'text', 'no usable quick replies');
      return this.emitText(message.text, 'quickReplies');
    }
    const options = replies.map(({ title, payload }) => ({ title, payload }));
    if (!this.caps.quickReplies) {
      return this.numberedText([message.text], options, 'quickReplies', 'quick replies are off for this profile');
    }
    if (replies.length > this.caps.maxQuickReplies) {
      const reason = `${replies.length} quick replies exceed the profile limit of ${this.caps.maxQuickReplies}`;
      return this.numberedText([message.text], options, 'quickReplies', reason);
    }
    const payloads = new PayloadRegistry(this.payloadAliases);
    const content: ReplyContent[] = replies.map((reply) => ({
      contentType: 'QuickReply',
      quickReply: {
        text: reply.title,
        payload: payloads.claim(reply.payload),
        ...(reply.imageUrl ? { image: reply.imageUrl } : {}),
      },
    }));
    this.emitStructured(content, this.promptAfterLeadingText(message.text, 'quickReplies'));
  }

  /** Drawn as a card whose title is the prompt, since Genesys has no bare button message. */
  private buttons(message: MessageOf<'buttons'>): void {
    const buttons = this.usableButtons(message.buttons ?? []);
    const text = message.text ?? '';
    if (buttons.length === 0) {
      this.degrade('buttons', 'text', 'no usable buttons');
      return this.emitText(text, 'buttons');
    }
    const prepared = this.prepareCard({ title: text, buttons }, buttons);
    if (prepared.problem) {
      return this.cardAsNumberedText(prepared, 'buttons', prepared.problem);
    }
    const prompt = (this.promptAfterLeadingText(text, 'buttons') ?? '').trim();
    const title = truncateAtWord(prompt, MAX_CARD_TITLE_LENGTH);
    const card: CanonicalCard = title === prompt ? { title, buttons } : { title, subtitle: prompt, buttons };
    this.emitStructured([{ contentType: 'Card', card: this.buildCard({ card, buttons }, new PayloadRegistry(this.payloadAliases)) }]);
  }

  private list(message: MessageOf<'list'>): void {
    const items = (message.items ?? []).filter((item) => item?.trim());
    const lines = items.map((item, i) => (message.ordered ? `${i + 1}. ${item}` : `• ${item}`));
    if (message.title?.trim()) {
      lines.unshift(message.title);
    }
    this.emitText(lines.join('\n'), 'list');
  }

  private carousel(message: MessageOf<'carousel'>): void {
    if (message.text?.trim()) {
      this.emitText(message.text, 'carousel');
    }
    const cards = message.cards ?? [];
    if (cards.length === 0) {
      this.degrade('carousel', 'none', 'carousel without cards');
      return;
    }
    if (!this.caps.carousels) {
      this.degrade('carousel', 'card', 'carousels are off for this profile');
      cards.forEach((card) => this.card(card));
      return;
    }
    const max = Math.max(1, this.caps.maxCarouselCards);
    let group: PreparedCard[] = [];
    let carouselCount = 0;
    let carouselCards = 0;
    const flush = () => {
      if (group.length > 0) {
        const payloads = new PayloadRegistry(this.payloadAliases);
        this.emitStructured([
          { contentType: 'Carousel', carousel: { cards: group.map((card) => this.buildCard(card, payloads)) } },
        ]);
        carouselCount += 1;
        group = [];
      }
    };
    for (const card of cards) {
      const prepared = this.prepareCard(card, this.usableButtons(card.buttons ?? []));
      if (prepared.problem) {
        // Sent on its own, in place, so the customer still reads the cards in the bot's order.
        flush();
        this.cardAsNumberedText(prepared, 'card', prepared.problem);
        continue;
      }
      group.push(prepared);
      carouselCards += 1;
      if (group.length === max) {
        flush();
      }
    }
    flush();
    // Splits around a degraded card are not the limit at work, and that card has its own record.
    if (carouselCards > max) {
      this.degrade('carousel', 'carousel', `${cards.length} cards split into ${carouselCount} carousels (limit ${max})`);
    }
  }

  private card(card: CanonicalCard): void {
    const prepared = this.prepareCard(card, this.usableButtons(card.buttons ?? []));
    if (prepared.problem) {
      return this.cardAsNumberedText(prepared, 'card', prepared.problem);
    }
    this.emitStructured([{ contentType: 'Card', card: this.buildCard(prepared, new PayloadRegistry(this.payloadAliases)) }]);
  }

  private prepareCard(card: CanonicalCard, buttons: CanonicalButton[]): PreparedCard {
    const defaultAction = card.defaultAction && this.usableDefaultAction(card.defaultAction, card.title);
    const hasPostback = [...buttons, ...(defaultAction ? [defaultAction] : [])].some(isPostback);
    const actionCount = buttons.filter((button) => isPostback(button) || this.caps.linkButtons).length;
    const problem = !this.caps.cards
      ? 'cards are off for this profile'
      : !card.title?.trim()
        ? 'card without a title'
        : hasPostback && !this.caps.buttons
          ? 'buttons are off for this profile'
          : actionCount > this.caps.maxCardButtons
            ? 'too many buttons for profile'
            : undefined;
    return { card, buttons, ...(defaultAction ? { defaultAction } : {}), ...(problem ? { problem } : {}) };
  }

  private buildCard({ card, buttons, defaultAction }: PreparedCard, payloads: PayloadRegistry): GenesysCard {
    const textLines = card.subtitle?.trim() ? [card.subtitle] : [];
    const actions: GenesysCardAction[] = [];
    for (const button of buttons) {
      if (isPostback(button) || this.caps.linkButtons) {
        actions.push(toAction(button, payloads));
      } else {
        this.degrade('linkButton', 'text', 'link buttons are off for this profile');
        textLines.push(linkLine(button));
      }
    }
    let tapAction: GenesysCardAction | undefined;
    if (defaultAction && (isPostback(defaultAction) || this.caps.linkButtons)) {
      tapAction = toAction(defaultAction, payloads);
    } else if (defaultAction && !isPostback(defaultAction)) {
      this.degrade('defaultAction', 'text', 'link buttons are off for this profile');
      if (!buttons.some((button) => sameTarget(toOption(button), defaultAction))) {
        textLines.push(linkLine(defaultAction));
      }
    }
    return {
      title: card.title,
      ...(textLines.length > 0 ? { description: textLines.join('\n') } : {}),
      ...(card.imageUrl ? { image: card.imageUrl } : {}),
      ...(tapAction ? { defaultAction: tapAction } : {}),
      actions,
    };
  }

  private cardAsNumberedText({ card, buttons, defaultAction }: PreparedCard, form: string, reason: string): void {
    const options = buttons.map(toOption);
    if (defaultAction?.title.trim() && !options.some((option) => sameTarget(option, defaultAction))) {
      options.unshift(toOption(defaultAction));
    }
    this.numberedText([card.title, card.subtitle], options, form, reason);
  }

  private attachment(attachment: CanonicalAttachment | undefined): void {
    if (!attachment?.url?.trim()) {
      this.degrade('attachment', 'none', 'attachment without a URL');
      return;
    }
    const caption = attachment.caption?.trim() ? attachment.caption : undefined;
    if (!this.caps.attachments) {
      this.degrade('attachment', 'text', 'attachments are off for this profile');
      return this.emitText([caption, attachment.url].filter(Boolean).join('\n'), 'attachment');
    }
    const content: ReplyContent[] = [{ contentType: 'Attachment', attachment: toGenesysAttachment(attachment) }];
    const text = caption && this.promptAfterLeadingText(caption, 'attachment');
    // A Text message must carry text; without a caption the attachment travels as Structured
    // content, which the reply model also accepts and which needs no text (reference §7).
    this.replyMessages.push(text ? { type: 'Text', text, content } : { type: 'Structured', content });
  }

  /** The fallback for anything with choices: header lines, then one numbered line per choice. */
  private numberedText(header: (string | undefined)[], options: TextOption[], from: string, reason: string): void {
    this.degrade(from, 'numberedText', reason);
    const lines = header.filter((line): line is string => Boolean(line?.trim()));
    for (const option of options) {
      if ('url' in option) {
        lines.push(linkLine(option));
      } else {
        const number = this.choices.length + 1;
        this.choices.push({ number, title: option.title, payload: option.payload });
        lines.push(`${number}. ${option.title}`);
      }
    }
    this.emitText(lines.join('\n'), 'numberedText');
  }

  private emitText(text: string | undefined, form: string): void {
    const chunks = splitText(text ?? '', this.caps.maxTextLength);
    if (chunks.length === 0) {
      this.degrade(form, 'none', 'empty text');
      return;
    }
    if (chunks.length > 1) {
      this.recordSplit(form, text ?? '', chunks.length);
    }
    for (const chunk of chunks) {
      this.replyMessages.push({ type: 'Text', text: chunk });
    }
  }

  /**
   * A prompt that goes with structured content must fit one message: all but its last chunk are
   * sent first as plain text, so the buttons stay next to the end of the prompt.
   */
  private promptAfterLeadingText(text: string | undefined, form: string): string | undefined {
    const chunks = splitText(text ?? '', this.caps.maxTextLength);
    if (chunks.length > 1) {
      this.recordSplit(form, text ?? '', chunks.length);
    }
    for (const chunk of chunks.slice(0, -1)) {
      this.replyMessages.push({ type: 'Text', text: chunk });
    }
    return chunks.at(-1);
  }

  private emitStructured(content: ReplyContent[], text?: string): void {
    if (content.length === 0) {
      return;
    }
    this.replyMessages.push({ type: 'Structured', ...(text ? { text } : {}), content });
  }

  private usableButtons(buttons: CanonicalButton[]): CanonicalButton[] {
    return buttons.filter((button) => {
      const problem = buttonProblem(button, true);
      if (problem) {
        this.degrade('button', 'none', problem);
      }
      return !problem;
    });
  }

  /** A card is tapped, not read, so its default action may borrow the card's title. */
  private usableDefaultAction(action: CanonicalButton, cardTitle: string | undefined): CanonicalButton | undefined {
    const titled = action.title?.trim() ? action : { ...action, title: cardTitle ?? '' };
    const problem = buttonProblem(titled, false);
    if (problem) {
      this.degrade('defaultAction', 'none', problem);
      return undefined;
    }
    return titled;
  }

  private recordSplit(form: string, text: string, parts: number): void {
    const reason = `${text.length} characters split into ${parts} messages (limit ${this.caps.maxTextLength})`;
    this.degrade(form, 'text', reason);
  }

  private degrade(from: string, to: string, reason: string): void {
    this.degradations.push({ messageIndex: this.messageIndex, from, to, reason });
  }
}

function buttonProblem(button: CanonicalButton, needsTitle: boolean): string | undefined {
  if (needsTitle && !button.title?.trim()) {
    return 'button without a title';
  }
  switch (button.type) {
    case 'postback':
      return button.payload?.trim() ? undefined : 'postback button without a payload';
    case 'url':
      return button.url?.trim() ? undefined : 'link button without a URL';
    default:
      return 'unknown button type';
  }
}

function isPostback(button: CanonicalButton): button is PostbackButton {
  return button.type === 'postback';
}

function toAction(button: CanonicalButton, payloads: PayloadRegistry): GenesysCardAction {
  return isPostback(button)
    ? { type: 'Postback', text: button.title, payload: payloads.claim(button.payload) }
    : { type: 'Link', text: button.title, url: button.url };
}

function toOption(button: CanonicalButton): TextOption {
  return isPostback(button) ? { title: button.title, payload: button.payload } : { title: button.title, url: button.url };
}

function sameTarget(option: TextOption, button: CanonicalButton): boolean {
  return isPostback(button)
    ? 'payload' in option && option.payload === button.payload
    : 'url' in option && option.url === button.url;
}

function linkLine({ title, url }: { title: string; url: string }): string {
  return title?.trim() ? `${title}: ${url}` : url;
}

function toGenesysAttachment(attachment: CanonicalAttachment): GenesysAttachment {
  return {
    mediaType: MEDIA_TYPES[attachment.kind] ?? 'File',
    url: attachment.url,
    ...(attachment.filename ? { filename: attachment.filename } : {}),
    ...(attachment.mime ? { mime: attachment.mime } : {}),
    ...(attachment.sizeBytes !== undefined ? { contentSizeBytes: attachment.sizeBytes } : {}),
  };
}
