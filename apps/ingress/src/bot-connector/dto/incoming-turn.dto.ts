import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
  registerDecorator,
  type ValidationOptions,
} from 'class-validator';
import { BotListLimits, GenesysLimits as L } from '@app/genesys';
import { ValidationSubject } from '../../errors/validation.pipe.js';

/** A missing required field is reported as that alone, not as every rule its absence breaks. */
const IsRequired = () => IsDefined({ message: '$property is required' });

/** Genesys ids: opaque strings; bounded so a hostile body cannot bloat keys and logs. */
const GenesysId = (opts: { optional?: boolean } = {}) =>
  (target: object, key: string) => {
    if (opts.optional) IsOptional()(target, key);
    else IsRequired()(target, key);
    IsString()(target, key);
    MinLength(1)(target, key);
    MaxLength(L.maxIdLength)(target, key);
  };

/**
 * Architect session variables: a flat map of strings. Numbers and booleans are coerced (be
 * liberal in what you accept); nested values are refused.
 */
function IsParameterMap(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isParameterMap',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must be an object of at most ${L.maxParameters} string values (keys ≤ ${L.maxParameterKeyLength}, values ≤ ${L.maxParameterValueLength} characters)`, ...options },
      validator: {
        validate(value: unknown) {
          if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return (
            entries.length <= L.maxParameters &&
            entries.every(([k, v]) => k.length <= L.maxParameterKeyLength && typeof v === 'string' && v.length <= L.maxParameterValueLength)
          );
        },
      },
    });
}

const coerceParameters = Transform(({ value }) => {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = typeof v === 'number' || typeof v === 'boolean' ? String(v) : v;
  return out;
});

export class ButtonResponseDto {
  @IsOptional() @IsString() @MaxLength(32) type?: string;
  @IsOptional() @IsString() @MaxLength(L.maxInputTextLength) text?: string;
  @IsOptional() @IsString() @MaxLength(L.maxInputTextLength) payload?: string;
}

export class InputAttachmentDto {
  @IsOptional() @IsString() @MaxLength(L.maxIdLength) id?: string;
  @IsOptional() @IsString() @MaxLength(32) mediaType?: string;
  @IsOptional() @IsString() @MaxLength(4096) url?: string;
  @IsOptional() @IsString() @MaxLength(512) filename?: string;
  @IsOptional() @IsString() @MaxLength(255) mime?: string;
  @IsOptional() @IsString() @MaxLength(128) sha256?: string;
  @IsOptional() @IsInt() @Min(0) contentSizeBytes?: number;
  @IsOptional() @IsString() @MaxLength(L.maxInputTextLength) text?: string;
}

export class InputContentDto {
  @IsOptional() @IsString() @MaxLength(64) contentType?: string;
  @IsOptional() @ValidateNested() @Type(() => ButtonResponseDto) buttonResponse?: ButtonResponseDto;
  @IsOptional() @ValidateNested() @Type(() => InputAttachmentDto) attachment?: InputAttachmentDto;
}

export class InputMessageDto {
  @IsOptional() @IsString() @MaxLength(32) type?: string;
  @IsOptional() @IsString() @MaxLength(L.maxInputTextLength) text?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(L.maxInputContentItems) @ValidateNested({ each: true }) @Type(() => InputContentDto)
  content?: InputContentDto[];
  @IsOptional() @ValidateNested() @Type(() => ButtonResponseDto) buttonResponse?: ButtonResponseDto;
}

export class ChatBotDto {
  @GenesysId({ optional: true }) id?: string;
  @IsOptional() @IsString() @MaxLength(L.maxIdLength) name?: string;
}

/** What the v1 turn and the v2 IncomingMessagesRequest share. Unknown fields are dropped, not refused. */
@ValidationSubject('Bot Connector request')
abstract class TurnBodyDto {
  @GenesysId() botSessionId: string;
  @IsRequired() @IsObject() @ValidateNested() @Type(() => InputMessageDto) inputMessage: InputMessageDto;
  @IsOptional() @IsString() @MaxLength(L.maxLanguageCodeLength) languageCode?: string;
  @IsOptional() @IsInt() @Min(1) @Max(L.maxBotSessionTimeoutMinutes) botSessionTimeout?: number;
  @GenesysId({ optional: true }) genesysConversationId?: string;
  @IsOptional() @coerceParameters @IsParameterMap() parameters?: Record<string, string>;
}

/** The Bot Connector v1 turn (reference §2.2–2.3). */
export class IncomingTurnDto extends TurnBodyDto {
  /** Observed to carry the bot's id or its name; optional when `chatBot.id` names the bot. */
  @ValidateIf((o: IncomingTurnDto) => o.botId !== undefined || !o.chatBot?.id) @GenesysId() botId?: string;
  @IsOptional() @IsString() @MaxLength(BotListLimits.maxVersionLength) botVersion?: string;
  /** Not seen in v1 captures (reference §2.2): without one, every delivery is a new turn. */
  @GenesysId({ optional: true }) messageId?: string;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ChatBotDto) chatBot?: ChatBotDto;
}

/**
 * The Digital Bot Connector v2 IncomingMessagesRequest (reference §3.3). `messageId` is the key a
 * redelivery is recognised by, and `botId`/`botVersion` must go back on every outgoing message
 * (§3.5), so a turn without them could be answered inline but never later: refused up front.
 */
@ValidationSubject('Digital Bot Connector request')
export class IncomingMessagesRequestDto extends TurnBodyDto {
  @GenesysId() botId: string;
  @IsRequired() @IsString() @MinLength(1) @MaxLength(BotListLimits.maxVersionLength) botVersion: string;
  @GenesysId() messageId: string;
}
