/** Wire encodings of OTLP over HTTP this gateway exports with (gRPC is not bundled). */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** The values of OTEL_TRACES_SAMPLER the specification defines (no Jaeger remote, no x-ray). */
export const TRACE_SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;
export type TraceSamplerName = (typeof TRACE_SAMPLERS)[number];

/** What a process needs to export traces, validated from the standard OTEL_* variables (see libs/config). */
export interface TraceSettings {
  /** Full URL of the traces endpoint (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces). */
  url: string;
  protocol: OtlpProtocol;
  /** OTEL_SERVICE_NAME; each process has its own default so ingress and worker tell apart. */
  serviceName?: string;
  sampler: TraceSamplerName;
  /** Ratio for the *traceidratio samplers, 0..1 (default 1). */
  samplerArg?: number;
  /**
   * A client span per Redis command (ioredis's diagnostics channels). It needs the active span
   * across awaits, i.e. AsyncLocalStorage, which on Node 20 slows every promise of the process:
   * off unless asked for (TRACE_REDIS_COMMANDS).
   */
  redisCommands: boolean;
  batch: {
    scheduledDelayMillis?: number;
    exportTimeoutMillis?: number;
    maxQueueSize?: number;
    maxExportBatchSize?: number;
  };
}

/** The traces URL per the OTLP exporter specification: a signal-specific endpoint is used as is, the generic one gets /v1/traces. */
export function otlpTracesUrl(generic: string | undefined, tracesSpecific: string | undefined): string | undefined {
  if (tracesSpecific) return tracesSpecific;
  if (!generic) return undefined;
  return `${generic.replace(/\/+$/, '')}/v1/traces`;
}
