import { Type } from 'class-transformer';
import { IsNotEmpty, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import type { ProviderConfigSpec } from '../kit/provider-config.js';
import { IsNameList } from '../kit/validators.js';

export class AwsCredentials {
  @IsString() @Matches(/^[A-Z0-9]{16,128}$/, { message: 'accessKeyId must be an AWS access key id (AKIA… or ASIA…)' }) accessKeyId!: string;
  @IsString() @IsNotEmpty() @MaxLength(256) secretAccessKey!: string;
  /** Only with temporary credentials (ASIA… keys from STS). */
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(4096) sessionToken?: string;
}

class IntentNames {
  @IsOptional() @IsNameList() intentNames: string[] = [];
}

export class LexV2Config {
  @IsString() @Matches(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, { message: 'region must be an AWS region id, e.g. us-east-1 or eu-west-2' }) region!: string;
  @IsString() @Matches(/^[0-9A-Za-z]{1,100}$/, { message: 'botId must be the bot’s id (10 letters and digits, from the bot’s page)' }) botId!: string;
  @IsString() @Matches(/^[0-9A-Za-z]{1,100}$/, { message: 'botAliasId must be the alias id (10 letters and digits, or TSTALIASID for the test alias)' }) botAliasId!: string;
  /** Without it, each turn's language picks the locale (`en-us` → `en_US`). */
  @IsOptional() @IsString() @Matches(/^[a-z]{2,3}_[A-Za-z0-9]{2,4}$/, { message: 'localeId must be a Lex locale id such as en_US, de_DE or es_419' }) localeId?: string;
  /** Replaces `https://runtime-v2-lex.{region}.amazonaws.com` (VPC endpoints, tests). */
  @IsOptional() @IsString() @MaxLength(2048) endpoint?: string;
  @IsObject() @ValidateNested() @Type(() => AwsCredentials) credentials!: AwsCredentials;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => IntentNames) handoff: IntentNames = new IntentNames();
  @IsOptional() @IsObject() @ValidateNested() @Type(() => IntentNames) end: IntentNames = new IntentNames();
}

export const LEX_V2_CONFIG_SPEC: ProviderConfigSpec<LexV2Config> = {
  schema: LexV2Config,
  secrets: ['credentials'],
  urls: ['endpoint'],
  title: 'Amazon Lex V2 bot (RecognizeText, IAM access key)',
  docs: 'docs/providers/lex-v2.md',
  fields: [
    { key: 'region', label: 'Region', kind: 'text', required: true, placeholder: 'us-east-1', help: 'The AWS region the bot lives in.' },
    { key: 'botId', label: 'Bot ID', kind: 'text', required: true, placeholder: 'ABCDE12345', help: 'Shown on the bot’s page in the Lex V2 console.' },
    { key: 'botAliasId', label: 'Bot alias ID', kind: 'text', required: true, placeholder: 'FGHIJ67890', help: 'The alias to talk to (Aliases → its ID); TSTALIASID is the draft test alias.' },
    { key: 'localeId', label: 'Locale ID', kind: 'text', placeholder: 'en_US', help: 'Optional: a fixed locale; by default each turn’s language (en-us → en_US).' },
    { key: 'credentials.accessKeyId', label: 'Access key ID', kind: 'secret', required: true, help: 'Of an IAM user or role allowed lex:RecognizeText on the alias. Write-only.' },
    { key: 'credentials.secretAccessKey', label: 'Secret access key', kind: 'secret', required: true, help: 'Write-only.' },
    { key: 'credentials.sessionToken', label: 'Session token', kind: 'secret', help: 'Only for temporary credentials. Write-only.' },
    { key: 'handoff.intentNames', label: 'Handoff intents', kind: 'list', help: 'Intents that mean “transfer to an agent”.' },
    { key: 'end.intentNames', label: 'End intents', kind: 'list', help: 'Intents that end the conversation when Lex closes them.' },
    { key: 'endpoint', label: 'Endpoint', kind: 'url', placeholder: 'https://runtime-v2-lex.us-east-1.amazonaws.com', help: 'Optional: overrides the regional runtime host (VPC endpoints).' },
  ],
};
