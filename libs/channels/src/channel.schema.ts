import 'reflect-metadata';
import { Type, plainToInstance } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
  registerDecorator,
  validateSync,
  type ValidationError,
  type ValidationOptions,
} from 'class-validator';
import { GenesysLimits, checkGenesysBaseUrl, isKnownGenesysEnvironment, normalizeGenesysEnvironment, normalizeLanguageCode } from '@app/genesys';
import { MIN_CLIENT_SECRET_BYTES } from '@app/genesys-jwt';
import { LEAVE_ALONE_FIELDS, PrivacyLimits, patternProblem, type RedactedField } from '@app/privacy';
import { weakSecretProblem } from '@app/secrets';
import type { Channel, MessengerProfile, TemplateFeature } from './channel.types.js';
import type { BotProviderRules } from './provider-rules.js';

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** `{ en: ["talk to a human", ...] }`: a phrase list per language, each phrase a short string. */
function IsStringListMap(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isStringListMap',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must map language codes to lists of phrases (strings of 1-200 characters)`, ...options },
      validator: {
        validate: (v: unknown) =>
          isPlainObject(v) &&
          Object.values(v).every((list) => Array.isArray(list) && list.length <= 100 && list.every((p) => typeof p === 'string' && p.trim().length > 0 && p.length <= 200)),
      },
    });
}

/** `{ default: "...", de: "..." }`: one text per language. */
function IsStringMap(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isStringMap',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must map language codes to texts (1-1000 characters)`, ...options },
      validator: { validate: (v: unknown) => isPlainObject(v) && Object.values(v).every((t) => typeof t === 'string' && t.length > 0 && t.length <= 1000) },
    });
}

/** Channel, bot, app and provider ids: the one rule, also applied to ids in URLs. */
export const CHANNEL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** CHANNEL_ID_PATTERN in words, for error messages. */
export const CHANNEL_ID_RULE = 'must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit';
const ID = CHANNEL_ID_PATTERN;
const PROFILES: MessengerProfile[] = ['webmessaging', 'whatsapp', 'sms', 'open', 'facebook', 'instagram', 'line'];
const FEATURES: TemplateFeature[] = ['quickReplies', 'buttons', 'cards', 'carousels', 'linkButtons', 'attachments'];
/** Names Genesys shows in Architect: displayable, no surrounding whitespace (reference §2.6). */
const DISPLAY_NAME = /^\S(.*\S)?$/;

class ProviderDef {
  @IsString() @Matches(ID) name: string;
  @IsOptional() @IsObject() config?: Record<string, unknown>;
  @IsOptional() @IsInt() @Min(100) @Max(60000) timeoutMs?: number;
  @IsOptional() @IsInt() @Min(0) @Max(5) retries?: number;
}

class IntentDef {
  @IsString() @MaxLength(GenesysLimits.maxNameLength) @Matches(DISPLAY_NAME) name: string;
  @IsOptional() @IsObject() slots?: Record<string, { name: string; type: string }>;
}

class BotDef {
  @IsString() @Matches(ID) id: string;
  @IsString() @MaxLength(GenesysLimits.maxNameLength) @Matches(DISPLAY_NAME) name: string;
  @IsOptional() @IsString() @MaxLength(GenesysLimits.maxDescriptionLength) description?: string;
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(GenesysLimits.maxBotVersions) @IsString({ each: true }) @MaxLength(100, { each: true })
  versions: string[];
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @IsString({ each: true }) languages: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(GenesysLimits.maxIntents - 2) @ValidateNested({ each: true }) @Type(() => IntentDef)
  intents?: IntentDef[];
  @IsDefined() @ValidateNested() @Type(() => ProviderDef) provider: ProviderDef;
}

class HandoffDef {
  @IsOptional() @IsString() @MaxLength(100) @Matches(DISPLAY_NAME) intent?: string;
  @IsOptional() @IsString() @MaxLength(100) @Matches(DISPLAY_NAME) endIntent?: string;
  @IsOptional() @IsInt() @Min(0) @Max(20) maxConsecutiveFallbacks?: number;
  @IsOptional() @IsStringListMap() phrases?: Record<string, string[]>;
  @IsOptional() @IsIn(['handoff', 'fail']) onBotError?: 'handoff' | 'fail';
  @IsOptional() @IsStringMap() farewell?: Record<string, string>;
  @IsOptional() @IsString() @MaxLength(200) defaultQueue?: string;
  @IsOptional() @IsInt() @Min(0) @Max(50) summaryTurns?: number;
}

class AppDef {
  @IsString() @Matches(ID) clientId: string;
  /** Empty means no credential yet: every Bot Connector call is refused until one is created. */
  /** Strength (HS256 key length, no placeholders) is checked in parseChannel, with the secret's index. */
  @IsArray() @ArrayMaxSize(5) @IsString({ each: true }) @MaxLength(500, { each: true })
  clientSecrets: string[];
}

class OAuthDef {
  @IsString() @MinLength(1) @MaxLength(200) clientId: string;
  @IsString() @MinLength(16, { message: 'oauth.clientSecret must be at least 16 characters' }) @MaxLength(500) clientSecret: string;
  @IsOptional() @IsIn(['authorization_code', 'client_credentials']) grant?: 'authorization_code' | 'client_credentials';
  @IsOptional() @IsBoolean() pkce?: boolean;
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @Matches(/^[A-Za-z0-9:_.-]{1,100}$/, { each: true }) scopes?: string[];
  @IsOptional() @IsString() @MaxLength(500) baseUrl?: string;
}

/** An HTTP header name (RFC 9110 token). */
export const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;

/**
 * Bot session ids in admin URLs and bodies: Genesys sends UUIDs; any id-like value up to the wire
 * limit is accepted, nothing that could bend a Redis key or a log line.
 */
export const BOT_SESSION_ID_PATTERN = /^[A-Za-z0-9._-]{1,256}$/;
/** BOT_SESSION_ID_PATTERN in words, for error messages. */
export const BOT_SESSION_ID_RULE = 'must be 1-256 letters, digits, ".", "_" or "-"';

class DigitalBotConnectorDef {
  @IsOptional() @IsString() @Matches(HEADER_NAME_PATTERN, { message: 'digitalBotConnector.secretHeader must be an HTTP header name' }) secretHeader?: string;
  /** Strength is checked in parseChannel, like the app secrets. */
  @IsString() @MaxLength(500) secret: string;
  @IsOptional() @IsInt() @Min(0) @Max(GenesysLimits.maxDbcInlineWindowMs) inlineWindowMs?: number;
}

class GenesysDef {
  @IsString() environment: string;
  @IsOptional() @IsString() @MaxLength(100) integrationId?: string;
  @IsOptional() @ValidateNested() @Type(() => OAuthDef) oauth?: OAuthDef;
  @IsOptional() @ValidateNested() @Type(() => DigitalBotConnectorDef) digitalBotConnector?: DigitalBotConnectorDef;
  @IsOptional() @IsBoolean() participantData?: boolean;
  @IsOptional() @IsBoolean() restrictToGenesysIps?: boolean;
}

const DEFAULT_OAUTH_SCOPES = ['architect', 'integrations', 'textbots'];

class TemplatesDef {
  @IsOptional() @IsIn(PROFILES) profile?: MessengerProfile;
  @IsOptional() @IsArray() @IsIn(FEATURES, { each: true }) disable?: TemplateFeature[];
}

class BreakerDef {
  @IsOptional() @IsInt() @Min(1) @Max(1000) failureThreshold?: number;
  @IsOptional() @IsInt() @Min(1000) @Max(3600000) cooldownMs?: number;
}

class NotificationSendersDef {
  @IsOptional() @IsString() @Matches(/^\+[1-9][0-9]{6,14}$/, { message: 'notifications.from.sms must be an E.164 number such as +13175550100' }) sms?: string;
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200) whatsapp?: string;
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200) open?: string;
}

class NotificationsDef {
  @IsOptional() @IsInt() @Min(1) @Max(1000) ratePerSecond?: number;
  @IsOptional() @ValidateNested() @Type(() => NotificationSendersDef) from?: NotificationSendersDef;
}

class PrivacyPatternDef {
  @IsString() @Matches(PrivacyLimits.namePattern, { message: 'privacy.patterns[].name must be 1-32 characters: a lower-case letter, then letters, digits, _ or - (it names the [<name>] token)' })
  name: string;
  /** Compiles, is not too slow a shape, and does not match empty text: checked in parseChannel. */
  @IsString() regex: string;
  @IsOptional() @IsBoolean() ignoreCase?: boolean;
}

class PrivacyDef {
  @IsOptional() @IsBoolean() redact?: boolean;
  @IsOptional() @IsArray() @ArrayMaxSize(PrivacyLimits.maxPatterns) @ValidateNested({ each: true }) @Type(() => PrivacyPatternDef)
  patterns?: PrivacyPatternDef[];
  @IsOptional() @IsArray() @ArrayMaxSize(LEAVE_ALONE_FIELDS.length)
  @IsIn(LEAVE_ALONE_FIELDS, { each: true, message: `privacy.leaveAlone may name only ${LEAVE_ALONE_FIELDS.join(', ')}` })
  leaveAlone?: RedactedField[];
}

export class ChannelDefinition {
  @IsString() @Matches(ID) id: string;
  @IsOptional() @IsString() @MaxLength(200) name?: string;
  @IsOptional() @IsBoolean() enabled?: boolean;
  @IsDefined() @ValidateNested() @Type(() => GenesysDef) genesys: GenesysDef;
  /** Default: `<id>-app` with no secret yet. */
  @IsOptional() @ValidateNested() @Type(() => AppDef) app?: AppDef;
  /** Where the channel was defined: CHANNELS_FILE (upserted at every start) or the admin API. */
  @IsOptional() @IsIn(['file', 'api']) source?: 'file' | 'api';
  @IsOptional() @IsInt() @Min(1000) @Max(GenesysLimits.maxReplyDeadlineMs) replyDeadlineMs?: number;
  @IsOptional() @IsIn(['hold', 'handoff']) deadlinePolicy?: 'hold' | 'handoff';
  @IsOptional() @IsString() @MaxLength(1000) holdMessage?: string;
  @IsOptional() @IsString() defaultLanguage?: string;
  @IsOptional() @ValidateNested() @Type(() => HandoffDef) handoff?: HandoffDef;
  @IsOptional() @ValidateNested() @Type(() => TemplatesDef) templates?: TemplatesDef;
  @IsOptional() @ValidateNested() @Type(() => BreakerDef) circuitBreaker?: BreakerDef;
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(GenesysLimits.maxBots) @ValidateNested({ each: true }) @Type(() => BotDef)
  bots: BotDef[];
  @IsOptional() @ValidateNested() @Type(() => NotificationsDef) notifications?: NotificationsDef;
  @IsOptional() @ValidateNested() @Type(() => PrivacyDef) privacy?: PrivacyDef;
}

export class ChannelConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid channel configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ChannelConfigError';
  }
}

function describe(errors: ValidationError[], path = ''): string[] {
  return errors.flatMap((e) => {
    const here = path ? `${path}.${e.property}` : e.property;
    return e.constraints ? Object.values(e.constraints).map((c) => `${here}: ${c}`) : describe(e.children ?? [], here);
  });
}

/**
 * Validates one channel definition and fills in every default; the result is the stored Channel.
 * With `providers`, each bot's provider must exist and its config pass that provider's rules, so a
 * bad backend config is refused here, with its path, and never fails turn by turn.
 */
export function parseChannel(raw: unknown, providers?: BotProviderRules): Channel {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ChannelConfigError(['channel must be an object']);
  const def = plainToInstance(ChannelDefinition, raw);
  // Unknown keys are refused so a typo (`maxConsecutiveFalbacks`) is reported, not silently ignored.
  const errors = validateSync(def, { forbidUnknownValues: true, whitelist: true, forbidNonWhitelisted: true });
  const problems = describe(errors, `channel ${String((raw as { id?: unknown }).id ?? '?')}`);

  const rawEnvironment = def.genesys?.environment;
  const environment = typeof rawEnvironment === 'string' ? normalizeGenesysEnvironment(rawEnvironment) : undefined;
  if (typeof rawEnvironment === 'string' && (!environment || !isKnownGenesysEnvironment(environment))) {
    problems.push(`channel ${def.id}: genesys.environment "${def.genesys.environment}" is not a known Genesys Cloud region (e.g. mypurecloud.com, mypurecloud.ie, usw2.pure.cloud)`);
  }
  const rawBaseUrl = def.genesys?.oauth?.baseUrl;
  const baseUrl = typeof rawBaseUrl === 'string' ? checkGenesysBaseUrl(rawBaseUrl) : undefined;
  if (baseUrl && 'problem' in baseUrl) problems.push(`channel ${def.id}: genesys.oauth.baseUrl ${baseUrl.problem}`);
  // Checked here, not only when a credential is minted, so a weak secret never gets stored or served.
  (Array.isArray(def.app?.clientSecrets) ? def.app.clientSecrets : []).forEach((secret, i) => {
    const weak = typeof secret === 'string' ? weakSecretProblem(secret, MIN_CLIENT_SECRET_BYTES) : undefined;
    if (weak) problems.push(`channel ${def.id}: app.clientSecrets[${i}] ${weak}`);
  });
  const dbcSecret = def.genesys?.digitalBotConnector?.secret;
  const weakDbc = typeof dbcSecret === 'string' ? weakSecretProblem(dbcSecret, MIN_CLIENT_SECRET_BYTES) : undefined;
  if (weakDbc) problems.push(`channel ${def.id}: genesys.digitalBotConnector.secret ${weakDbc}`);
  const defaultLanguage = normalizeLanguageCode(def.defaultLanguage ?? 'en-us');
  if (!defaultLanguage) problems.push(`channel ${def.id}: defaultLanguage is not a language tag`);
  for (const bot of Array.isArray(def.bots) ? def.bots : []) {
    if (!isPlainObject(bot)) continue;
    for (const l of Array.isArray(bot.languages) ? bot.languages : []) {
      if (!normalizeLanguageCode(l)) problems.push(`channel ${def.id}: bot ${bot.id}: "${String(l)}" is not a language tag`);
    }
  }
  const patterns = Array.isArray(def.privacy?.patterns) ? def.privacy.patterns : [];
  const names = new Set<string>();
  patterns.forEach((p, i) => {
    if (!isPlainObject(p)) return;
    if (typeof p.name === 'string' && names.has(p.name)) problems.push(`channel ${def.id}: privacy.patterns[${i}].name "${p.name}" is used twice`);
    names.add(p.name);
    const problem = typeof p.regex === 'string' ? patternProblem(p.regex, p.ignoreCase === true) : undefined;
    if (problem) problems.push(`channel ${def.id}: privacy.patterns[${i}].regex ${problem}`);
  });
  if (providers) {
    (Array.isArray(def.bots) ? def.bots : []).forEach((bot, i) => {
      const name = isPlainObject(bot) && isPlainObject(bot.provider) ? bot.provider.name : undefined;
      if (typeof name !== 'string') return;
      const config = isPlainObject(bot.provider.config) ? bot.provider.config : {};
      const found = providers.configProblems(name, config);
      if (!found) problems.push(`channel ${def.id}: bots[${i}].provider.name: no bot provider named "${name.slice(0, 100)}" (known: ${providers.names().join(', ')})`);
      else for (const p of found.slice(0, 20)) problems.push(`channel ${def.id}: bots[${i}].provider.config.${p}`);
    });
  }
  if (problems.length) throw new ChannelConfigError(problems);

  const h = def.handoff ?? {};
  return {
    id: def.id,
    name: def.name ?? def.id,
    enabled: def.enabled ?? true,
    genesys: {
      environment: environment!,
      integrationId: def.genesys.integrationId,
      ...(def.genesys.participantData !== undefined ? { participantData: def.genesys.participantData } : {}),
      ...(def.genesys.restrictToGenesysIps ? { restrictToGenesysIps: true } : {}),
      ...(def.genesys.oauth
        ? {
            oauth: {
              clientId: def.genesys.oauth.clientId,
              clientSecret: def.genesys.oauth.clientSecret,
              grant: def.genesys.oauth.grant ?? 'authorization_code',
              pkce: def.genesys.oauth.pkce ?? true,
              scopes: [...(def.genesys.oauth.scopes ?? DEFAULT_OAUTH_SCOPES)],
              ...(baseUrl && 'origin' in baseUrl ? { baseUrl: baseUrl.origin } : {}),
            },
          }
        : {}),
      ...(def.genesys.digitalBotConnector
        ? {
            digitalBotConnector: {
              secretHeader: (def.genesys.digitalBotConnector.secretHeader ?? 'X-Connection-Secret').toLowerCase(),
              secret: def.genesys.digitalBotConnector.secret,
              inlineWindowMs: def.genesys.digitalBotConnector.inlineWindowMs ?? GenesysLimits.defaultDbcInlineWindowMs,
            },
          }
        : {}),
    },
    app: def.app ? { clientId: def.app.clientId, clientSecrets: [...def.app.clientSecrets] } : { clientId: `${def.id}-app`.slice(0, 100), clientSecrets: [] },
    source: def.source ?? 'file',
    replyDeadlineMs: def.replyDeadlineMs ?? GenesysLimits.defaultReplyDeadlineMs,
    deadlinePolicy: def.deadlinePolicy ?? 'hold',
    holdMessage: def.holdMessage ?? "One moment please, I'm still working on that.",
    defaultLanguage: defaultLanguage!,
    handoff: {
      intent: h.intent ?? 'AgentHandoff',
      endIntent: h.endIntent ?? 'EndConversation',
      maxConsecutiveFallbacks: h.maxConsecutiveFallbacks ?? 2,
      phrases: h.phrases ?? { en: ['talk to a human', 'human please', 'representative', 'live agent'] },
      onBotError: h.onBotError ?? 'handoff',
      farewell: h.farewell ?? { default: 'Connecting you to an agent, one moment please.' },
      defaultQueue: h.defaultQueue,
      summaryTurns: h.summaryTurns ?? 5,
    },
    templates: { profile: def.templates?.profile ?? 'webmessaging', disable: def.templates?.disable ?? [] },
    circuitBreaker: {
      failureThreshold: def.circuitBreaker?.failureThreshold ?? 5,
      cooldownMs: def.circuitBreaker?.cooldownMs ?? 30000,
    },
    notifications: {
      ratePerSecond: def.notifications?.ratePerSecond ?? 10,
      from: Object.fromEntries(Object.entries(def.notifications?.from ?? {}).filter(([, v]) => typeof v === 'string')),
    },
    privacy: {
      redact: def.privacy?.redact ?? true,
      patterns: (def.privacy?.patterns ?? []).map((p) => ({ name: p.name, regex: p.regex, ...(p.ignoreCase ? { ignoreCase: true } : {}) })),
      leaveAlone: [...new Set(def.privacy?.leaveAlone ?? [])],
    },
    bots: def.bots.map((b) => ({
      id: b.id,
      name: b.name,
      description: b.description,
      versions: b.versions,
      languages: b.languages.map((l) => normalizeLanguageCode(l)!),
      intents: (b.intents ?? []).map((i) => ({ name: i.name, slots: i.slots })),
      provider: {
        name: b.provider.name,
        config: b.provider.config ?? {},
        timeoutMs: b.provider.timeoutMs ?? 4000,
        retries: b.provider.retries ?? 1,
      },
    })),
  };
}

/** Finds the bot a turn addresses: `chatBot.id` first, then botId as id, then botId as name (reference §2.2). */
export function resolveBot(channel: Channel, botId: string | undefined, chatBotId?: string) {
  const byId = (id?: string) => (id ? channel.bots.find((b) => b.id === id) : undefined);
  return byId(chatBotId) ?? byId(botId) ?? (botId ? channel.bots.find((b) => b.name === botId) : undefined);
}
