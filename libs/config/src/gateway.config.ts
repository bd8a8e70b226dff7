import { randomBytes } from 'node:crypto';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { checkGenesysBaseUrl } from '@app/genesys';
import { isLoopbackHostname } from '@app/net';
import { SECRETS_KEY_HELP, weakSecretProblem } from '@app/secrets';
import { LOG_FORMATS, resolveLogFormat, type LogFormat } from '@app/observability/log-format.js';
import { redisTopologyOf, redisTopologyProblems, type RedisTopology } from '@app/redis/redis-topology.js';
import { OTLP_PROTOCOLS, TRACE_SAMPLERS, otlpTracesUrl, type OtlpProtocol, type TraceSamplerName, type TraceSettings } from '@app/observability/tracing/trace-settings.js';
import { validateEnv } from './validate-env.js';

/** `Boolean('false')` is true, so env booleans are parsed explicitly. */
const EnvBoolean = () =>
  Transform(({ obj, key }) => {
    const raw = String((obj as Record<string, unknown>)[key]).trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(raw)) return true;
    if (['false', '0', 'no', 'off'].includes(raw)) return false;
    return raw;
  });

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Both processes serve /metrics on this port by default. They run in separate pods or containers,
 * so one number keeps scrape configs simple; one host running both (`npm start`) gives each its own.
 */
export const DEFAULT_METRICS_PORT = 9464;

/** Every name READINESS_CHECKS knows (the ingress can check them all); `shutdown` (draining) is required. */
export const INGRESS_READINESS_CHECKS = ['shutdown', 'redis', 'queue', 'workers'] as const;
export type IngressReadinessCheck = (typeof INGRESS_READINESS_CHECKS)[number];
/**
 * What worker readiness can check. A worker accepts the ingress's names and skips those it has not,
 * so one READINESS_CHECKS can sit in an environment both processes share (a compose anchor, a ConfigMap).
 */
export const WORKER_READINESS_CHECKS = ['shutdown', 'redis'] as const;
export type WorkerReadinessCheck = (typeof WORKER_READINESS_CHECKS)[number];

/**
 * Parses READINESS_CHECKS and lists what is wrong with it. `shutdown` is required: a draining
 * process that stays in the load balancer takes turns it is about to refuse.
 */
function parseReadinessChecks<T extends string>(raw: string, applies: readonly T[]): { checks: T[]; problems: string[] } {
  const names = [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))];
  const unknown = names.filter((n) => !(INGRESS_READINESS_CHECKS as readonly string[]).includes(n));
  const problems = unknown.length ? [`READINESS_CHECKS: unknown check ${unknown.map((n) => `"${n}"`).join(', ')} (known: ${INGRESS_READINESS_CHECKS.join(', ')})`] : [];
  if (!names.includes('shutdown')) problems.push('READINESS_CHECKS must include shutdown: a draining process has to leave the load balancer');
  return { checks: applies.filter((k) => names.includes(k)), problems };
}

/** Settings both processes share. Every variable is documented in README.md ("Configuration"). */
export class SharedConfig {
  /**
   * Production unless told otherwise: a deploy that forgets NODE_ENV must not run with the public
   * development key, DEV-ONLY secrets or printed credentials. `npm start`, `npm run admin` and the
   * tests set `development`/`test` themselves.
   */
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'production';

  @Matches(/^rediss?:\/\//, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /**
   * Prefix of every Redis key and BullMQ queue of this deployment (lets tests and tenants share a
   * Redis). In Cluster mode it must be a hash tag, e.g. `{gbg}`, so all keys share one slot.
   */
  @Matches(/^(\{[A-Za-z0-9_-]{1,30}\}|[A-Za-z0-9_-]{1,32})$/, { message: 'must be 1-32 letters, digits, _ or -, or such a name in braces (a Cluster hash tag, e.g. {gbg})' })
  REDIS_PREFIX = 'gbg';

  /** Sentinel mode: the sentinels as `host:port,host:port,…`; REDIS_URL then gives only password, db and TLS. */
  @IsOptional() @IsString()
  REDIS_SENTINELS?: string;

  /** Sentinel mode: the master name the sentinels monitor. */
  @IsOptional() @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'must be 1-64 letters, digits, ".", "_" or "-"' })
  REDIS_SENTINEL_NAME?: string;

  /** Sentinel mode: the sentinels' own password, when they require one. */
  @IsOptional() @IsString()
  REDIS_SENTINEL_PASSWORD?: string;

  /** Cluster mode: seed nodes as `host:port,host:port,…` (REDIS_PREFIX must then be hash-tagged). */
  @IsOptional() @IsString()
  REDIS_CLUSTER_NODES?: string;

  get redisTopology(): RedisTopology {
    return redisTopologyOf(this);
  }

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  /** `pretty` or `json`; unset: pretty on a terminal outside production, JSON otherwise. */
  @IsOptional() @IsIn(LOG_FORMATS)
  LOG_FORMAT?: LogFormat;

  get logFormat(): LogFormat {
    return resolveLogFormat({ configured: this.LOG_FORMAT, nodeEnv: this.NODE_ENV, isTTY: process.stdout.isTTY === true });
  }

  /** The no-color.org convention: any value turns colours off in pretty logs. */
  @IsOptional() @IsString()
  NO_COLOR?: string;

  /** Colours in pretty lines: only a terminal shows them, and NO_COLOR turns them off. */
  get logColour(): boolean {
    return process.stdout.isTTY === true && !this.NO_COLOR;
  }

  @IsString()
  CHANNELS_FILE = 'config/channels.yaml';

  /**
   * Seconds a turn may wait to be processed, and an answered turn's result is kept for
   * redeliveries of the same messageId. Memory grows with turns/s x this, so keep it short.
   */
  @Type(() => Number) @IsInt() @Min(60) @Max(24 * 3600)
  TURN_RETENTION_SECONDS = 600;

  /** Days a session transcript is kept after its last turn. */
  @Type(() => Number) @IsInt() @Min(1) @Max(3650)
  TRANSCRIPT_RETENTION_DAYS = 30;

  /**
   * Entries a session's transcript keeps: older ones are dropped as new ones arrive, so one
   * endless session cannot grow a Redis list without bound. The floor is twice the default
   * handoff summary (5 turns; a channel asking for more than are kept summarizes what is kept);
   * the ceiling keeps one transcript's worst case (×~4 KB an entry) near 400 MB.
   */
  @Type(() => Number) @IsInt() @Min(10) @Max(100_000)
  TRANSCRIPT_MAX_ENTRIES = 500;

  /** How Genesys and admins reach this gateway: Webhook URLs, the OAuth callback, transcript links for agents. */
  @IsOptional() @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http(s) URL' })
  PUBLIC_BASE_URL?: string;

  /**
   * Let bot providers call http:// and loopback/private addresses (development and tests only).
   * Both processes read it: the ingress checks provider URLs when a channel is loaded or changed.
   */
  @EnvBoolean() @IsBoolean()
  BOT_PROVIDERS_ALLOW_PRIVATE = false;

  /** The older name of BOT_PROVIDERS_ALLOW_PRIVATE, still honoured. */
  @EnvBoolean() @IsBoolean()
  HTTP_PROVIDER_ALLOW_PRIVATE = false;

  get botProvidersAllowPrivate(): boolean {
    return this.BOT_PROVIDERS_ALLOW_PRIVATE || this.HTTP_PROVIDER_ALLOW_PRIVATE;
  }

  /** Days a notification's record (and its idempotency key) is kept. */
  @Type(() => Number) @IsInt() @Min(1) @Max(365)
  NOTIFICATION_RETENTION_DAYS = 7;

  /** Allow demo/development-only channel secrets; refused when NODE_ENV=production unless set. */
  @EnvBoolean() @IsBoolean() @IsOptional()
  ALLOW_DEV_SECRETS?: boolean;

  /** 32 bytes (base64url or hex) sealing secrets stored in Redis. Required in production. */
  @IsOptional() @IsString() @MinLength(32) @MaxLength(128)
  SECRETS_KEY?: string;

  /**
   * Sends every Genesys call (login and API hosts) of every channel to this origin instead of the
   * channel's region: the emulator (`npm run emulator`) in development and tests.
   */
  @IsOptional() @Matches(/^https?:\/\/[^\s/]+\/?$/, { message: 'must be an http(s) origin such as http://127.0.0.1:9555' })
  GENESYS_BASE_URL?: string;

  get devSecretsAllowed(): boolean {
    return this.ALLOW_DEV_SECRETS ?? this.NODE_ENV !== 'production';
  }

  /** Port of this process's /metrics server (see metricsPort); 0 turns it off. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(65535)
  METRICS_PORT?: number;

  get metricsPort(): number {
    return this.METRICS_PORT ?? DEFAULT_METRICS_PORT;
  }

  /** Comma list of what readiness checks; each process has its own default and skips what it cannot check. */
  @IsOptional() @IsString() @MaxLength(200)
  READINESS_CHECKS?: string;

  // OpenTelemetry traces: the standard variables (opentelemetry.io, SDK configuration), off unless
  // an OTLP endpoint is set. Validated here like everything else, since the SDK itself only logs
  // a bad value and carries on with a default.

  /** OTLP/HTTP base URL; traces go to <it>/v1/traces. Setting it turns tracing on. */
  @IsOptional() @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http(s) URL' })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** The traces URL itself (used as is), instead of OTEL_EXPORTER_OTLP_ENDPOINT. */
  @IsOptional() @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http(s) URL' })
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;

  @IsOptional() @IsIn(OTLP_PROTOCOLS, { message: `must be one of ${OTLP_PROTOCOLS.join(', ')} (grpc is not supported)` })
  OTEL_EXPORTER_OTLP_PROTOCOL?: OtlpProtocol;

  @IsOptional() @IsIn(OTLP_PROTOCOLS, { message: `must be one of ${OTLP_PROTOCOLS.join(', ')} (grpc is not supported)` })
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?: OtlpProtocol;

  /** `none` turns tracing off even with an endpoint set. */
  @IsOptional() @IsIn(['otlp', 'none'])
  OTEL_TRACES_EXPORTER?: 'otlp' | 'none';

  @EnvBoolean() @IsBoolean()
  OTEL_SDK_DISABLED = false;

  /** Defaults to genesys-bot-gateway-ingress / -worker. */
  @IsOptional() @Matches(/^[^\s].{0,99}$/, { message: 'must be 1-100 characters' })
  OTEL_SERVICE_NAME?: string;

  @IsIn(TRACE_SAMPLERS)
  OTEL_TRACES_SAMPLER: TraceSamplerName = 'parentbased_always_on';

  @IsOptional() @Type(() => Number) @IsNumber() @Min(0) @Max(1)
  OTEL_TRACES_SAMPLER_ARG?: number;

  /**
   * Adds a span per Redis command. Costly on Node 20 (it needs AsyncLocalStorage, which slows every
   * promise); for a closer look at one deployment, not for always.
   */
  @EnvBoolean() @IsBoolean()
  TRACE_REDIS_COMMANDS = false;

  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(60_000)
  OTEL_BSP_SCHEDULE_DELAY?: number;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(120_000)
  OTEL_BSP_EXPORT_TIMEOUT?: number;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000)
  OTEL_BSP_MAX_QUEUE_SIZE?: number;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000)
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE?: number;

  /** What startTracing needs, or undefined when tracing is off. */
  get traceSettings(): TraceSettings | undefined {
    const url = otlpTracesUrl(this.OTEL_EXPORTER_OTLP_ENDPOINT, this.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
    if (!url || this.OTEL_SDK_DISABLED || this.OTEL_TRACES_EXPORTER === 'none') return undefined;
    return {
      url,
      protocol: this.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? this.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
      serviceName: this.OTEL_SERVICE_NAME,
      sampler: this.OTEL_TRACES_SAMPLER,
      samplerArg: this.OTEL_TRACES_SAMPLER_ARG,
      redisCommands: this.TRACE_REDIS_COMMANDS,
      batch: {
        scheduledDelayMillis: this.OTEL_BSP_SCHEDULE_DELAY,
        exportTimeoutMillis: this.OTEL_BSP_EXPORT_TIMEOUT,
        maxQueueSize: this.OTEL_BSP_MAX_QUEUE_SIZE,
        maxExportBatchSize: this.OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
      },
    };
  }
}

export class IngressConfig extends SharedConfig {
  @Type(() => Number) @IsInt() @Min(0) @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';


  /** Bearer token for /api (admin). Required in production; generated and printed in development. */
  /** Length and strength are checked with the other secrets' rule (ingressProblems). */
  @IsOptional() @IsString() @MaxLength(512)
  ADMIN_TOKEN?: string;

  /** How long a console login lasts (idle or not), in minutes. */
  @Type(() => Number) @IsInt() @Min(5) @Max(7 * 24 * 60)
  ADMIN_SESSION_MINUTES = 480;

  /** Print each channel's ready-to-paste credential at start; default on outside production. */
  @EnvBoolean() @IsBoolean() @IsOptional()
  PRINT_CREDENTIALS?: boolean;

  /** Largest webhook body accepted, in bytes. */
  @Type(() => Number) @IsInt() @Min(1024) @Max(4 * 1024 * 1024)
  MAX_BODY_BYTES = 256 * 1024;

  /** Milliseconds SIGTERM waits for in-flight turns before the process exits. */
  @Type(() => Number) @IsInt() @Min(0) @Max(60000)
  SHUTDOWN_GRACE_MS = 10000;

  /**
   * Replicas that must hold an accepted turn before the gateway goes on with it (Redis WAIT);
   * 0 = off. With Sentinel, 1 keeps a failover from losing a turn Genesys was told about: a turn
   * no replica confirmed within REDIS_WAIT_TIMEOUT_MS is answered 503, not acknowledged.
   */
  @Type(() => Number) @IsInt() @Min(0) @Max(5)
  REDIS_WAIT_REPLICAS = 0;

  /** How long that wait may take; past it the turn is refused (503, logged and counted). */
  @Type(() => Number) @IsInt() @Min(1) @Max(2000)
  REDIS_WAIT_TIMEOUT_MS = 100;

  /** Turns one ingress process waits on at most; more are refused with 503 (Genesys retries). */
  @Type(() => Number) @IsInt() @Min(1) @Max(1000000)
  MAX_INFLIGHT_TURNS = 2000;

  /**
   * Event-loop utilisation (0–1, smoothed over 20 ms ticks) at which the share of new turns
   * admitted is cut; below it by 0.1 the share grows back. 0 disables.
   */
  @Type(() => Number) @IsNumber() @Min(0) @Max(1)
  SHED_EVENT_LOOP_UTILIZATION = 0.95;

  /**
   * Event-loop lag at which the admitted share is cut (a 20 ms tick firing this late), and past
   * which, while the tick is overdue, new turns are refused outright; 0 disables.
   */
  @Type(() => Number) @IsInt() @Min(0) @Max(10000)
  SHED_EVENT_LOOP_DELAY_MS = 30;

  /** Refuse new turns while the V8 heap is this full (% of its limit); 0 disables. */
  @Type(() => Number) @IsInt() @Min(0) @Max(100)
  SHED_HEAP_USED_PERCENT = 90;

  /**
   * How often the age of the oldest waiting session drain is read from Redis (ms; 0 disables).
   * Once it is older than a channel's reply deadline no new turn can be answered in time: v1 gets
   * the channel's deadline policy at once, v2 a 503 + Retry-After.
   */
  @Type(() => Number) @IsInt() @Min(0) @Max(60000)
  SHED_QUEUE_AGE_SAMPLE_MS = 250;

  /**
   * Trust X-Forwarded-For from this many proxy hops (0: use the socket address). Needed behind a
   * load balancer for the Genesys source-range check and the per-address console login limit.
   */
  @Type(() => Number) @IsInt() @Min(0) @Max(10)
  TRUST_PROXY_HOPS = 0;

  /** How often Genesys's published source ranges (GET /api/v2/ipranges) are refreshed. */
  @Type(() => Number) @IsInt() @Min(60000) @Max(7 * 86400000)
  GENESYS_IP_RANGES_REFRESH_MS = 3600000;

  /**
   * Also serve /metrics on the webhook port, as before METRICS_PORT: for a scraper that can only
   * reach that port. Off by default, since the webhook port is often public.
   */
  @EnvBoolean() @IsBoolean()
  METRICS_ON_WEBHOOK_PORT = false;

  /**
   * Draining only, by default: a Redis blip or workers scaled to zero fail every pod's dependency
   * checks at once, the Service is left without endpoints, and Genesys gets connection errors
   * instead of the ingress's fast 503 or hold message. /health/dependencies reports them instead.
   */
  get readinessChecks(): IngressReadinessCheck[] {
    return parseReadinessChecks(this.READINESS_CHECKS ?? 'shutdown', INGRESS_READINESS_CHECKS).checks;
  }

  get publicBaseUrl(): string {
    return (this.PUBLIC_BASE_URL ?? `http://localhost:${this.PORT}`).replace(/\/+$/, '');
  }
}

export class WorkerConfig extends SharedConfig {
  /** Turns (sessions) one worker process runs at once; size it to rate x bot latency. */
  @Type(() => Number) @IsInt() @Min(1) @Max(5000)
  WORKER_CONCURRENCY = 50;

  /** BullMQ lock: a dead worker's turns are retried after about this plus the stalled interval. */
  @Type(() => Number) @IsInt() @Min(1000) @Max(300000)
  WORKER_LOCK_DURATION_MS = 5000;

  @Type(() => Number) @IsInt() @Min(500) @Max(300000)
  WORKER_STALLED_INTERVAL_MS = 5000;

  /** The older name of METRICS_PORT for the worker, still honoured (deprecated). */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(65535)
  WORKER_METRICS_PORT?: number;

  /** The worker's /metrics and /health server. */
  override get metricsPort(): number {
    return this.METRICS_PORT ?? this.WORKER_METRICS_PORT ?? DEFAULT_METRICS_PORT;
  }

  /**
   * A worker takes no requests, so its readiness only paces rollouts: a new worker that cannot
   * reach Redis should not count as available. Hence Redis stays in by default here.
   */
  get readinessChecks(): WorkerReadinessCheck[] {
    return parseReadinessChecks(this.READINESS_CHECKS ?? 'shutdown,redis', WORKER_READINESS_CHECKS).checks;
  }


  /** Milliseconds SIGTERM waits for active turns before the process exits. */
  @Type(() => Number) @IsInt() @Min(0) @Max(120000)
  SHUTDOWN_GRACE_MS = 15000;

  /**
   * How long a v2 result keeps being retried through the outgoing-messages API (429, 5xx, no
   * token) before it is recorded as not delivered. The session's later turns wait behind it.
   */
  @Type(() => Number) @IsInt() @Min(1000) @Max(3600000)
  OUTBOX_GIVE_UP_MS = 120000;

  /** Notifications one worker process sends at once. */
  @Type(() => Number) @IsInt() @Min(1) @Max(1000)
  NOTIFICATION_CONCURRENCY = 10;

  /** How often the worker looks for outboxes nobody is sending (a crashed worker's). */
  @Type(() => Number) @IsInt() @Min(100) @Max(600000)
  OUTBOX_SWEEP_INTERVAL_MS = 5000;

  /**
   * How often the worker looks for sessions whose turns wait with no drain job (a Redis failover
   * kept the turn and lost the job). A session is queued when its inbox head did not move between
   * two passes.
   */
  @Type(() => Number) @IsInt() @Min(100) @Max(600000)
  INBOX_SWEEP_INTERVAL_MS = 10000;
}

const ADMIN_TOKEN_HELP = 'Make one: node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'base64url\'))"';

/**
 * Problems that only production has: settings it cannot run without, and development-only values.
 * Collected together so one failed start names every one of them.
 */
/** The SDK's batch queue holds 2,048 spans unless told otherwise; a batch cannot be larger. */
function tracingProblems(cfg: SharedConfig): string[] {
  const queue = cfg.OTEL_BSP_MAX_QUEUE_SIZE ?? 2048;
  if (cfg.OTEL_BSP_MAX_EXPORT_BATCH_SIZE !== undefined && cfg.OTEL_BSP_MAX_EXPORT_BATCH_SIZE > queue) {
    return [`OTEL_BSP_MAX_EXPORT_BATCH_SIZE (${cfg.OTEL_BSP_MAX_EXPORT_BATCH_SIZE}) must not exceed OTEL_BSP_MAX_QUEUE_SIZE (${queue})`];
  }
  return [];
}

function productionProblems(cfg: SharedConfig, required: { name: string; why: string }[]): string[] {
  const problems: string[] = [...redisTopologyProblems(cfg), ...tracingProblems(cfg)];
  if (cfg.NODE_ENV === 'production') {
    for (const r of required) {
      if (!(cfg as unknown as Record<string, unknown>)[r.name]) problems.push(`${r.name} is required in production: ${r.why}`);
    }
  }
  if (cfg.GENESYS_BASE_URL) {
    const checked = checkGenesysBaseUrl(cfg.GENESYS_BASE_URL);
    if ('problem' in checked) problems.push(`GENESYS_BASE_URL ${checked.problem}`);
    else if (checked.localEmulator && !cfg.devSecretsAllowed) {
      problems.push('GENESYS_BASE_URL: plain http (the local emulator) is a development setting; use https in production (or ALLOW_DEV_SECRETS=true for a local demo)');
    }
  }
  return problems;
}

const SECRETS_KEY_REQUIRED = { name: 'SECRETS_KEY', why: `it encrypts the secrets kept in Redis. ${SECRETS_KEY_HELP}` };

/** What only the ingress must get right: its public URL and its admin credential. */
function ingressProblems(cfg: IngressConfig): string[] {
  const problems: string[] = [];
  if (cfg.REDIS_WAIT_REPLICAS > 0 && cfg.REDIS_CLUSTER_NODES !== undefined) {
    problems.push('REDIS_WAIT_REPLICAS works with one server or Sentinel, not Cluster: WAIT must reach the master that took the write');
  }
  const weak = cfg.ADMIN_TOKEN ? weakSecretProblem(cfg.ADMIN_TOKEN, 24) : undefined;
  if (weak) problems.push(`ADMIN_TOKEN ${weak}`);
  if (cfg.metricsPort > 0 && cfg.metricsPort === cfg.PORT) problems.push(`METRICS_PORT must differ from PORT (${cfg.PORT}); set METRICS_ON_WEBHOOK_PORT=true to serve /metrics on the webhook port`);
  if (cfg.READINESS_CHECKS !== undefined) problems.push(...parseReadinessChecks(cfg.READINESS_CHECKS, INGRESS_READINESS_CHECKS).problems);
  if (cfg.NODE_ENV === 'production' && cfg.PUBLIC_BASE_URL) {
    // Genesys calls webhooks over https, and the console cookie is Secure only over https.
    const url = URL.canParse(cfg.PUBLIC_BASE_URL) ? new URL(cfg.PUBLIC_BASE_URL) : undefined;
    if (url && url.protocol !== 'https:' && !isLoopbackHostname(url.hostname)) {
      problems.push('PUBLIC_BASE_URL must be an https URL in production (plain http only on a loopback host, to try the stack locally)');
    }
  }
  return problems;
}

export function loadIngressConfig(env: NodeJS.ProcessEnv = process.env): IngressConfig {
  const cfg = validateEnv(IngressConfig, env, (c) => [
    ...productionProblems(c, [
      SECRETS_KEY_REQUIRED,
      { name: 'ADMIN_TOKEN', why: `the bootstrap credential of the admin API (24+ characters). ${ADMIN_TOKEN_HELP}` },
      { name: 'PUBLIC_BASE_URL', why: 'the https URL Genesys and admins reach this gateway at (Webhook URLs, the OAuth redirect URI, secure console cookies)' },
    ]),
    ...ingressProblems(c),
  ]);
  if (!cfg.ADMIN_TOKEN) {
    cfg.ADMIN_TOKEN = randomBytes(24).toString('base64url');
    (cfg as IngressConfig & { adminTokenGenerated?: boolean }).adminTokenGenerated = true;
  }
  return cfg;
}

/** What only the worker must get right. */
function workerProblems(cfg: WorkerConfig): string[] {
  const problems: string[] = [];
  if (cfg.METRICS_PORT !== undefined && cfg.WORKER_METRICS_PORT !== undefined && cfg.METRICS_PORT !== cfg.WORKER_METRICS_PORT) {
    problems.push(`METRICS_PORT (${cfg.METRICS_PORT}) and its older name WORKER_METRICS_PORT (${cfg.WORKER_METRICS_PORT}) disagree; keep METRICS_PORT only`);
  }
  if (cfg.READINESS_CHECKS !== undefined) problems.push(...parseReadinessChecks(cfg.READINESS_CHECKS, WORKER_READINESS_CHECKS).problems);
  return problems;
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return validateEnv(WorkerConfig, env, (c) => [...productionProblems(c, [SECRETS_KEY_REQUIRED]), ...workerProblems(c)]);
}
