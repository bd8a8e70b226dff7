import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Attributes, type Context, type Link, type Span, type Tracer } from '@opentelemetry/api';

export { SpanKind, type Context, type Span };

export const TRACER_NAME = 'genesys-bot-gateway';

/**
 * Set by startTracing: with tracing off, the helpers below skip even the no-op API calls. The
 * tracer is looked up once (after the provider is registered), not per span.
 */
const state: { on: boolean; tracer?: Tracer } = { on: false };

export function markTracingOn(on: boolean): void {
  state.on = on;
  state.tracer = on ? trace.getTracer(TRACER_NAME) : undefined;
}

export function tracingOn(): boolean {
  return state.on;
}

export function tracer(): Tracer {
  return state.tracer ?? trace.getTracer(TRACER_NAME);
}

/** The W3C trace-context headers that travel inside a queued turn, outbox entry or notification. */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;

/** The carrier of a context; undefined when nothing is being traced. */
export function traceCarrierOf(ctx: Context | undefined): TraceCarrier | undefined {
  if (!state.on || !ctx || !trace.getSpan(ctx)) return undefined;
  const carrier: Partial<TraceCarrier> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent ? (carrier as TraceCarrier) : undefined;
}

/**
 * The context a carrier read back from Redis continues. What is stored is checked first: a record
 * written by another version, or tampered with, starts a new trace instead of failing the turn.
 */
export function contextOfCarrier(carrier: unknown): Context | undefined {
  if (!state.on || !carrier || typeof carrier !== 'object') return undefined;
  const { traceparent, tracestate } = carrier as Record<string, unknown>;
  if (typeof traceparent !== 'string' || !TRACEPARENT.test(traceparent)) return undefined;
  const clean: Record<string, string> = { traceparent };
  if (typeof tracestate === 'string' && tracestate.length <= 512) clean.tracestate = tracestate;
  const ctx = propagation.extract(ROOT_CONTEXT, clean);
  return trace.getSpanContext(ctx) ? ctx : undefined;
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  links?: Link[];
  /** The parent; the active context by default. */
  parent?: Context;
}

/**
 * Runs `fn` inside a new span and ends it. `fn` gets the span and the context to pass as `parent`
 * to the spans it starts: contexts are passed explicitly, because the implicit kind
 * (AsyncLocalStorage) slows every promise of the process on Node 20 (docs/tracing.md, "Cost").
 * The span is also made active for `fn`'s synchronous start, and throughout when Redis command
 * spans are on (they need it). A failure marks the span with the error's kind (errorKind), never
 * its message, which may quote what the customer or the bot said.
 */
export async function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span | undefined, ctx: Context | undefined) => Promise<T>): Promise<T> {
  if (!state.on) return fn(undefined, options.parent);
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links: options.links }, parent);
  const ctx = trace.setSpan(parent, span);
  try {
    return await context.with(ctx, () => fn(span, ctx));
  } catch (e) {
    markSpanFailed(span, errorKind(e));
    throw e;
  } finally {
    span.end();
  }
}

/** The synchronous form of inSpan, for CPU-only steps (rendering). */
export function inSpanSync<T>(name: string, options: SpanOptions, fn: (span: Span | undefined) => T): T {
  if (!state.on) return fn(undefined);
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links: options.links }, parent);
  try {
    return context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (e) {
    markSpanFailed(span, errorKind(e));
    throw e;
  } finally {
    span.end();
  }
}

/** Runs `fn` with `ctx` active (when tracing is on), so the spans it starts, Redis ones included, are its children. */
export function withTraceContext<T>(ctx: Context | undefined, fn: () => T): T {
  return state.on && ctx ? context.with(ctx, fn) : fn();
}

/** A link to the span of `ctx` (a notification whose send flushes outbox entries of other traces), or none. */
export function linksTo(ctx: Context | undefined): Link[] {
  if (!state.on || !ctx) return [];
  const span = trace.getSpan(ctx);
  return span ? [{ context: span.spanContext() }] : [];
}

/** Adds attributes to the span of `ctx` (a request's, kept from its start), if it records. */
export function annotateSpan(ctx: Context | undefined, attributes: Attributes): void {
  if (!state.on || !ctx) return;
  trace.getSpan(ctx)?.setAttributes(attributes);
}

export function markSpanFailed(span: Span | undefined, kind: string): void {
  if (!span) return;
  span.setAttribute('error.type', kind);
  span.setStatus({ code: SpanStatusCode.ERROR, message: kind });
}

const KIND = /^[A-Za-z][\w.-]{0,63}$/;

/**
 * A short, fixed vocabulary for what went wrong: an error's `code` (ECONNRESET, bad_response,
 * a GatewayError code) or its class name. Messages are never used: they can quote input.
 */
export function errorKind(e: unknown): string {
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && KIND.test(code)) return code;
  const name = (e as { name?: unknown } | undefined)?.name;
  if (typeof name === 'string' && KIND.test(name)) return name;
  return 'error';
}
