import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import type { ProviderConfigSpec } from '../kit/provider-config.js';
import { IsNameList } from '../kit/validators.js';

/** Kore's documented advice is "short intervals"; the gateway never polls more often than this (issue 10, Performance). */
export const KORE_MIN_POLL_INTERVAL_MS = 100;

class KoreTaskNames {
  /** Compared trimmed and case-insensitively with Kore's `completedTaskName`. */
  @IsOptional() @IsNameList() taskNames?: string[];
}

export class KoreConfig {
  /** The channel's POST URL as Kore shows it, `…/chatbot/v2/webhook/st-…` (or `…/hookInstance/…`). */
  @IsString() @MaxLength(2048) webhookUrl!: string;
  /** The Kore app's client id: the JWT's `appId` (case-sensitive). */
  @IsString() @MinLength(1) @MaxLength(200) clientId!: string;
  /** The Kore app's client secret: the JWT's HS256 key. Sealed at rest. */
  @IsString() @MinLength(1) @MaxLength(1000) clientSecret!: string;
  @IsOptional() @ValidateNested() @Type(() => KoreTaskNames) handoff?: KoreTaskNames;
  @IsOptional() @ValidateNested() @Type(() => KoreTaskNames) end?: KoreTaskNames;
  @IsOptional() @IsInt() @Min(KORE_MIN_POLL_INTERVAL_MS) @Max(5000) pollIntervalMs: number = 300;
}

export const KORE_CONFIG_SPEC: ProviderConfigSpec<KoreConfig> = {
  schema: KoreConfig,
  secrets: ['clientSecret'],
  urls: ['webhookUrl'],
  title: 'Kore.ai XO Platform bot (Webhook channel v2, synchronous with polling)',
  docs: 'docs/providers/kore.md',
  fields: [
    {
      key: 'webhookUrl',
      label: 'Webhook URL',
      kind: 'url',
      required: true,
      placeholder: 'https://platform.kore.ai/chatbot/v2/webhook/st-…',
      help: 'Kore XO: Channels & Flows > Channels > Digital > Webhook, Configurations tab (webhook version 2.0, synchronous). Copy the POST URL as shown, including any /hookInstance/… part.',
    },
    { key: 'clientId', label: 'Client ID', kind: 'text', required: true, help: 'Client ID of the app selected on the Webhook channel page (case-sensitive).' },
    { key: 'clientSecret', label: 'Client secret', kind: 'secret', required: true, help: 'Client secret of that app (HS256). Write-only.' },
    { key: 'handoff.taskNames', label: 'Handoff task names', kind: 'list', help: 'Kore tasks (dialogs) whose completion hands the customer to a Genesys agent, e.g. "Talk to agent".' },
    { key: 'end.taskNames', label: 'End task names', kind: 'list', help: 'Kore tasks whose completion ends the conversation. Without them the conversation stays open after a task.' },
    { key: 'pollIntervalMs', label: 'Poll interval (ms)', kind: 'number', placeholder: '300', help: 'How often to ask Kore for messages a running service or script node sends later. At least 100.' },
  ],
};
