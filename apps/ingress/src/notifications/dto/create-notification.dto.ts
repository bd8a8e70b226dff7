import 'reflect-metadata';
import { Type } from 'class-transformer';
import { BOT_SESSION_ID_PATTERN, BOT_SESSION_ID_RULE } from '@app/channels';
import { IsArray, IsBoolean, IsIn, IsObject, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateNested, ArrayMaxSize, ArrayMinSize } from 'class-validator';
import { ValidationSubject } from '../../errors/validation.pipe.js';

/** Printable ASCII without spaces: safe in logs and keys, and what idempotency keys usually are. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

export class NotificationAddressDto {
  @IsIn(['sms', 'whatsapp', 'open']) messengerType: 'sms' | 'whatsapp' | 'open';
  @IsString() @MinLength(1) @MaxLength(200) to: string;
  /** Defaults to the channel's `notifications.from[messengerType]`. */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200) from?: string;
  @IsOptional() @IsBoolean() useExistingActiveConversation?: boolean;
}

export class TemplateParameterDto {
  @IsString() @MinLength(1) @MaxLength(100) id: string;
  @IsString() @MaxLength(1024) value: string;
}

/** A pre-approved messaging template (WhatsApp requires one for agentless sends, reference §6.1). */
export class MessagingTemplateDto {
  @IsString() @MinLength(1) @MaxLength(200) responseId: string;
  @IsOptional() @IsArray() @ArrayMaxSize(20) @ValidateNested({ each: true }) @Type(() => TemplateParameterDto) headerParameters?: TemplateParameterDto[];
  @IsOptional() @IsArray() @ArrayMaxSize(20) @ValidateNested({ each: true }) @Type(() => TemplateParameterDto) bodyParameters?: TemplateParameterDto[];
  @IsOptional() @IsArray() @ArrayMaxSize(20) @ValidateNested({ each: true }) @Type(() => TemplateParameterDto) buttonUrlParameters?: TemplateParameterDto[];
}

/** Exactly one of `botSessionId` (an open v2 bot session) or `address` (agentless). */
export class NotificationTargetDto {
  @IsOptional() @IsString() @Matches(BOT_SESSION_ID_PATTERN, { message: `target.botSessionId ${BOT_SESSION_ID_RULE}` }) botSessionId?: string;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => NotificationAddressDto) address?: NotificationAddressDto;
}

@ValidationSubject('notification')
export class CreateNotificationDto {
  @IsString() @Matches(IDEMPOTENCY_KEY, { message: 'idempotencyKey must be 1-200 printable ASCII characters without spaces' }) idempotencyKey: string;
  @IsObject() @ValidateNested() @Type(() => NotificationTargetDto) target: NotificationTargetDto;
  /** Plain text (both targets). */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(4000) text?: string;
  /** Canonical messages (templates), session targets only; checked like a bot's reply. */
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20) messages?: unknown[];
  /** Address targets only: a messaging template (required for WhatsApp). */
  @IsOptional() @IsObject() @ValidateNested() @Type(() => MessagingTemplateDto) template?: MessagingTemplateDto;
}
