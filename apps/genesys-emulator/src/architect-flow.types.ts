import { Problems, isRecord, type ApiErrorDetail } from './api-errors.js';

/**
 * An emulated Architect inbound message flow whose only job is one "Call Bot Connector" (v1) or
 * "Call Digital Bot Connector" (v2) action, with one output path per intent plus Failure.
 */

/** Where a flow goes when the bot action exits: Transfer to ACD, or Disconnect. */
export type FlowPath =
  | {
      action: 'transfer';
      /** Queue name used when `queueParameter` is absent or not returned by the bot. */
      queue: string;
      /** Session-variable output holding the queue name (e.g. `handoffQueue`), like a Transfer to ACD by expression. */
      queueParameter?: string;
    }
  | { action: 'end' };

export interface ArchitectFlowDefinition {
  id: string;
  protocol: 'v1' | 'v2';
  /** v1: the full Handle Utterance URI. v2: the Bot Connector URI (base); the driver POSTs to `url + '/messages'`. */
  url: string;
  /** The integration's Credentials fields, sent as headers on every call (e.g. `Authorization: bearer <JWT>`, `X-Connection-Secret`). */
  headers?: Record<string, string>;
  integrationId: string;
  botId: string;
  /** v1 only: Genesys was observed sending the bot *name* in `botId` (reference §2.2); defaults to botId. */
  botName?: string;
  botVersion: string;
  languageCode: string;
  /** Sent as `botSessionTimeout`; the v2 outgoing API refuses messages after it. Default 4320 (v1, observed) / 720 (v2, Architect default 12 h). */
  botSessionTimeoutMinutes?: number;
  /** How long to wait for the HTTP answer. Default 10 s (v1, 3P figures) / 30 s (v2 Architect default). */
  botResponseTimeoutMs?: number;
  /** Retries after a 5xx or a connection error (reference §3.7); default 2. */
  retries5xx?: number;
  /** Backoff before retry n is n × retryBackoffMs; default 200 ms. */
  retryBackoffMs?: number;
  /** One output path per intent the flow author wired. An intent not listed here takes the failure path. */
  intentPaths: Record<string, FlowPath>;
  failurePath: FlowPath;
  /** Architect Session Variables inputs, sent as `parameters`. */
  parameters?: Record<string, string>;
  /**
   * By default parameters go on the first turn of a bot session only (HIVE's claim, reference §2.2),
   * so a gateway that relies on them on later turns is caught. Set to send them on every turn.
   */
  parametersOnEveryTurn?: boolean;
}

export interface ResolvedFlow extends Required<Omit<ArchitectFlowDefinition, 'botName' | 'parameters'>> {
  botName: string;
  parameters: Record<string, string>;
}

export interface IntegrationInfo {
  id: string;
  type: 'botconnector' | 'digital-botconnector';
}

const FLOW_ID = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_SESSION_TIMEOUT_MIN = 4320; // Architect: 1 min to 3 days (HELP-CDBC).
const MAX_RESPONSE_TIMEOUT_MS = 60_000; // Architect Bot Response Timeout: at most 1 min (HELP-CDBC).

export class FlowValidationError extends Error {
  constructor(readonly details: ApiErrorDetail[]) {
    super(`Invalid flow: ${details.map((d) => `${d.fieldName}: ${d.errorMessage}`).join('; ')}`);
    this.name = 'FlowValidationError';
  }
}

/** Validates a flow definition (from options or `POST /emulator/flows`) and fills in the defaults. */
export function resolveFlow(input: unknown, integrations: ReadonlyMap<string, IntegrationInfo>): ResolvedFlow {
  const p = new Problems();
  if (!isRecord(input)) throw new FlowValidationError([{ errorCode: 'invalid.type', fieldName: '', errorMessage: 'a flow must be a JSON object' }]);
  const f = input as Partial<Record<keyof ArchitectFlowDefinition, unknown>>;
  const str = (k: keyof ArchitectFlowDefinition, optional = false): string | undefined => {
    const v = f[k];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || v.trim() === '') {
      p.add(k, 'required', 'must be a non-empty string');
      return undefined;
    }
    return v;
  };
  const id = str('id');
  if (id !== undefined && !FLOW_ID.test(id)) p.add('id', 'invalid.format', 'must be 1-64 characters among A-Z a-z 0-9 . _ -');
  const protocol = f.protocol;
  if (protocol !== 'v1' && protocol !== 'v2') p.add('protocol', 'invalid.value', 'must be "v1" or "v2"');
  const url = str('url');
  if (url !== undefined) {
    try {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') p.add('url', 'invalid.format', 'must be an http(s) URL');
    } catch {
      p.add('url', 'invalid.format', 'must be an absolute URL');
    }
  }
  const headers = f.headers ?? {};
  if (!isRecord(headers) || Object.values(headers).some((v) => typeof v !== 'string')) p.add('headers', 'invalid.type', 'must be an object of string header values');
  const integrationId = str('integrationId');
  const integration = integrationId !== undefined ? integrations.get(integrationId) : undefined;
  if (integrationId !== undefined && !integration) p.add('integrationId', 'not.found', `no integration "${integrationId}" in this emulated org`);
  if (integration && (protocol === 'v1' || protocol === 'v2')) {
    const expected = protocol === 'v1' ? 'botconnector' : 'digital-botconnector';
    if (integration.type !== expected) p.add('integrationId', 'invalid.value', `a ${protocol} flow needs a "${expected}" integration, "${integration.id}" is "${integration.type}"`);
  }
  const botId = str('botId');
  const botName = str('botName', true);
  const botVersion = str('botVersion');
  const languageCode = str('languageCode');
  const int = (k: keyof ArchitectFlowDefinition, min: number, max: number, dflt: number): number => {
    const v = f[k];
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) p.add(k, 'invalid.value', `must be an integer in [${min}, ${max}]`);
    return typeof v === 'number' ? v : dflt;
  };
  const botSessionTimeoutMinutes = int('botSessionTimeoutMinutes', 1, MAX_SESSION_TIMEOUT_MIN, protocol === 'v2' ? 720 : 4320);
  // Below Architect's 1 s minimum on purpose: tests exercise timeouts in milliseconds.
  const botResponseTimeoutMs = int('botResponseTimeoutMs', 1, MAX_RESPONSE_TIMEOUT_MS, protocol === 'v2' ? 30_000 : 10_000);
  const retries5xx = int('retries5xx', 0, 5, 2);
  const retryBackoffMs = int('retryBackoffMs', 0, 10_000, 200);
  const intentPaths: Record<string, FlowPath> = {};
  if (!isRecord(f.intentPaths)) p.add('intentPaths', 'required', 'must be an object of intent name → path');
  else {
    for (const [intent, path] of Object.entries(f.intentPaths)) {
      if (intent.trim() === '' || intent !== intent.trim()) p.add(`intentPaths.${intent}`, 'invalid.value', 'intent names must be non-empty without surrounding whitespace');
      const resolved = checkPath(path, `intentPaths.${intent}`, p);
      if (resolved) intentPaths[intent] = resolved;
    }
  }
  const failurePath = checkPath(f.failurePath, 'failurePath', p);
  const parameters = f.parameters ?? {};
  if (!isRecord(parameters) || Object.values(parameters).some((v) => typeof v !== 'string')) p.add('parameters', 'invalid.type', 'must be an object of string values (Genesys sends strings only)');
  if (f.parametersOnEveryTurn !== undefined && typeof f.parametersOnEveryTurn !== 'boolean') p.add('parametersOnEveryTurn', 'invalid.type', 'must be a boolean');
  if (!p.empty) throw new FlowValidationError(p.list);
  return {
    id: id!,
    protocol: protocol as 'v1' | 'v2',
    // v2: the base URI, so a trailing slash must not produce `//messages`.
    url: protocol === 'v2' ? url!.replace(/\/+$/, '') : url!,
    headers: { ...(headers as Record<string, string>) },
    integrationId: integrationId!,
    botId: botId!,
    botName: botName ?? botId!,
    botVersion: botVersion!,
    languageCode: languageCode!,
    botSessionTimeoutMinutes,
    botResponseTimeoutMs,
    retries5xx,
    retryBackoffMs,
    intentPaths,
    failurePath: failurePath!,
    parameters: { ...(parameters as Record<string, string>) },
    parametersOnEveryTurn: f.parametersOnEveryTurn === true,
  };
}

function checkPath(v: unknown, at: string, p: Problems): FlowPath | undefined {
  if (!isRecord(v)) {
    p.add(at, 'required', 'must be {action:"transfer", queue} or {action:"end"}');
    return undefined;
  }
  if (v.action === 'end') return { action: 'end' };
  if (v.action === 'transfer') {
    if (typeof v.queue !== 'string' || v.queue.trim() === '') {
      p.add(`${at}.queue`, 'required', 'a transfer needs a queue name');
      return undefined;
    }
    if (v.queueParameter !== undefined && (typeof v.queueParameter !== 'string' || v.queueParameter === '')) {
      p.add(`${at}.queueParameter`, 'invalid.type', 'must be a non-empty string');
      return undefined;
    }
    return { action: 'transfer', queue: v.queue, ...(v.queueParameter ? { queueParameter: v.queueParameter as string } : {}) };
  }
  p.add(`${at}.action`, 'invalid.value', 'must be "transfer" or "end"');
  return undefined;
}

/** Header values are credentials: listings show only their first characters. */
export function redactFlow(flow: ResolvedFlow): ResolvedFlow {
  const headers = Object.fromEntries(Object.entries(flow.headers).map(([k, v]) => [k, v.length > 12 ? `${v.slice(0, 7)}…(redacted)` : '…(redacted)']));
  return { ...flow, headers };
}
