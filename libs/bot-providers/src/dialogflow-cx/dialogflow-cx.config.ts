import { createPrivateKey, type KeyObject } from 'node:crypto';
import { Type } from 'class-transformer';
import { IsNotEmpty, IsObject, IsOptional, IsString, Matches, MaxLength, registerDecorator, ValidateNested, type ValidationOptions } from 'class-validator';
import type { ProviderConfigSpec } from '../kit/provider-config.js';

export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';

/**
 * The private key as an RSA key object, or undefined. Keys pasted into YAML from a key file often
 * keep the JSON escapes (`\n` as two characters), so those are read as line breaks.
 */
export function privateKeyOf(pem: unknown): KeyObject | undefined {
  if (typeof pem !== 'string' || !pem.includes('PRIVATE KEY-----')) return undefined;
  try {
    const key = createPrivateKey(pem.replace(/\\n/g, '\n'));
    return key.asymmetricKeyType === 'rsa' ? key : undefined;
  } catch {
    return undefined;
  }
}

function IsPemPrivateKey(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isPemPrivateKey',
      target: target.constructor,
      propertyName,
      // Never echo the value: it is the key.
      options: { message: `${propertyName} must be the RSA private key of a Google service-account key file, in PEM ("-----BEGIN PRIVATE KEY-----…")`, ...options },
      validator: { validate: (v: unknown) => privateKeyOf(v) !== undefined },
    });
}

/** A service-account key as Google's JSON key file has it; the fields we do not use are accepted so the file can be pasted whole. */
export class GoogleServiceAccountKey {
  @IsString() @IsNotEmpty() @MaxLength(320) @Matches(/^[^\s@]+@[^\s@]+$/, { message: 'client_email must be the service account’s e-mail address' }) client_email!: string;
  @IsString() @MaxLength(10_000) @IsPemPrivateKey() private_key!: string;
  @IsOptional() @IsString() @MaxLength(2048) token_uri: string = GOOGLE_TOKEN_URI;
  /** Sent as the JWT's `kid`, which lets Google pick the key without trying each. */
  @IsOptional() @IsString() @MaxLength(200) private_key_id?: string;
  @IsOptional() @IsString() @MaxLength(200) type?: string;
  @IsOptional() @IsString() @MaxLength(200) project_id?: string;
  @IsOptional() @IsString() @MaxLength(200) client_id?: string;
  @IsOptional() @IsString() @MaxLength(2048) auth_uri?: string;
  @IsOptional() @IsString() @MaxLength(2048) auth_provider_x509_cert_url?: string;
  @IsOptional() @IsString() @MaxLength(2048) client_x509_cert_url?: string;
  @IsOptional() @IsString() @MaxLength(200) universe_domain?: string;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export class DialogflowCxConfig {
  /** Project ids are lowercase words; domain-scoped ones (`example.com:project`) keep their colon. */
  @IsString() @Matches(ID, { message: 'projectId must be the Google Cloud project id (letters, digits, -, ., :)' }) projectId!: string;
  @IsString() @Matches(/^[a-z0-9-]{2,40}$/, { message: 'location must be the agent’s region id, e.g. global, us-central1 or europe-west1' }) location!: string;
  @IsString() @Matches(/^[A-Za-z0-9-]{1,100}$/, { message: 'agentId must be the agent’s id (the UUID in the agent’s resource name)' }) agentId!: string;
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9-]{1,100}$/, { message: 'environment must be an environment id (the UUID in its resource name)' }) environment?: string;
  /** Replaces `https://{location}-dialogflow.googleapis.com` (private endpoints, tests). */
  @IsOptional() @IsString() @MaxLength(2048) apiEndpoint?: string;
  @IsObject() @ValidateNested() @Type(() => GoogleServiceAccountKey) credentials!: GoogleServiceAccountKey;
}

export const DIALOGFLOW_CX_CONFIG_SPEC: ProviderConfigSpec<DialogflowCxConfig> = {
  schema: DialogflowCxConfig,
  secrets: ['credentials'],
  urls: ['apiEndpoint', 'credentials.token_uri'],
  title: 'Google Dialogflow CX agent (detectIntent, service-account key)',
  docs: 'docs/providers/dialogflow-cx.md',
  fields: [
    { key: 'projectId', label: 'Project ID', kind: 'text', required: true, placeholder: 'my-project', help: 'The Google Cloud project of the agent.' },
    { key: 'location', label: 'Location', kind: 'text', required: true, placeholder: 'global', help: 'The agent’s region: global, us-central1, europe-west1, …' },
    { key: 'agentId', label: 'Agent ID', kind: 'text', required: true, placeholder: '1f2e3d4c-…', help: 'The UUID after /agents/ in the agent’s resource name (Agent settings → copy name).' },
    { key: 'environment', label: 'Environment ID', kind: 'text', help: 'Optional: an environment to talk to instead of the draft flow versions.' },
    { key: 'credentials.client_email', label: 'Service account e-mail', kind: 'secret', required: true, help: 'client_email of the key file; the account needs the Dialogflow API Client role.' },
    { key: 'credentials.private_key', label: 'Private key', kind: 'secret', required: true, help: 'private_key of the JSON key file (PEM). Write-only.' },
    { key: 'credentials.token_uri', label: 'Token URI', kind: 'url', placeholder: GOOGLE_TOKEN_URI, help: 'token_uri of the key file; leave empty for Google’s.' },
    { key: 'apiEndpoint', label: 'API endpoint', kind: 'url', placeholder: 'https://europe-west1-dialogflow.googleapis.com', help: 'Optional: overrides the regional host (private endpoints).' },
  ],
};
