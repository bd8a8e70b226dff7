import { IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import type { ProviderConfigSpec } from '../kit/provider-config.js';
import { IsHeaderMap } from '../kit/validators.js';

export class RasaConfig {
  /** The REST channel's webhook, normally `https://rasa.example.com/webhooks/rest/webhook` (a query string is kept). */
  @IsString() @MaxLength(2048) url!: string;
  /** Sent with every call (a proxy's credential); sealed at rest. */
  @IsOptional() @IsObject() @IsHeaderMap() headers?: Record<string, string>;
}

export const RASA_CONFIG_SPEC: ProviderConfigSpec<RasaConfig> = {
  schema: RasaConfig,
  secrets: ['headers'],
  urls: ['url'],
  title: 'Rasa (REST channel)',
  docs: 'docs/providers/rasa.md',
  fields: [
    { key: 'url', label: 'REST webhook URL', kind: 'url', required: true, placeholder: 'https://rasa.example.com/webhooks/rest/webhook', help: 'The full URL of Rasa’s REST channel (enable `rest:` in credentials.yml). Prefer a header over a token in the query string: the URL is shown to admins.' },
    { key: 'headers', label: 'Headers', kind: 'map', help: 'Sent with every call, e.g. the Authorization your proxy checks. Write-only.' },
  ],
};
