import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { ProviderConfigSpec } from '../kit/provider-config.js';

export const DIRECTLINE_DEFAULT_BASE_URL = 'https://directline.botframework.com';

/** `bots[].provider.config` of a `directline` bot (bot-backends §0 and §2). */
export class DirectLineConfig {
  /** The Direct Line channel secret; sealed at rest. */
  @IsString() @MinLength(8) @MaxLength(1000) secret!: string;
  /** Public endpoint by default; regional hosts (europe., india., …) as the bot's channel page shows. */
  @IsOptional() @IsString() @MaxLength(2048) baseUrl: string = DIRECTLINE_DEFAULT_BASE_URL;
  /** Direct Line has no end-of-turn marker: the turn ends after this long without a new bot activity. */
  @IsOptional() @IsInt() @Min(100) @Max(10_000) quietMs: number = 600;
  /** Never below 100 ms: issue 10 caps polling at ten GETs a second per turn. */
  @IsOptional() @IsInt() @Min(100) @Max(5_000) pollIntervalMs: number = 250;
}

export const DIRECTLINE_CONFIG_SPEC: ProviderConfigSpec<DirectLineConfig> = {
  schema: DirectLineConfig,
  secrets: ['secret'],
  urls: ['baseUrl'],
  title: 'Microsoft Copilot Studio / Bot Framework bot over Direct Line 3.0',
  docs: 'docs/providers/directline.md',
  fields: [
    {
      key: 'secret',
      label: 'Direct Line secret',
      kind: 'secret',
      required: true,
      help: 'Copilot Studio: Settings > Security > Web channel security. Azure Bot: Channels > Direct Line > Default site. Write-only.',
    },
    {
      key: 'baseUrl',
      label: 'Direct Line endpoint',
      kind: 'url',
      placeholder: DIRECTLINE_DEFAULT_BASE_URL,
      help: 'Leave empty for the public endpoint; a regional bot uses its regional host, e.g. https://europe.directline.botframework.com.',
    },
    { key: 'quietMs', label: 'Quiet time (ms)', kind: 'number', placeholder: '600', help: 'A turn ends after the bot has been silent this long (100-10000).' },
    { key: 'pollIntervalMs', label: 'Poll interval (ms)', kind: 'number', placeholder: '250', help: 'How often the bot’s replies are fetched while a turn runs (100-5000).' },
  ],
};
