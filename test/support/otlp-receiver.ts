import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** A span as received, whatever the encoding: ids in hex, attributes flattened to plain values. */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  status: { code: number; message: string };
  events: { name: string; attributes: Record<string, unknown> }[];
  links: { traceId: string; spanId: string }[];
  /** How it came: 'protobuf' or 'json'. */
  encoding: string;
}

/**
 * An OTLP/HTTP traces endpoint for tests (POST /v1/traces), decoding both encodings the
 * specification defines: binary protobuf and JSON. Written here rather than taken from a
 * collector so the test sees exactly what the processes put on the wire.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly requests: { contentType: string; status: number }[] = [];
  private server?: http.Server;

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const contentType = String(req.headers['content-type'] ?? '');
        let body = Buffer.concat(chunks);
        try {
          if (req.url !== '/v1/traces' || req.method !== 'POST') throw new Error(`unexpected ${req.method} ${req.url}`);
          if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
          if (contentType.startsWith('application/x-protobuf')) {
            this.spans.push(...decodeProtobufRequest(body));
            res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
          } else if (contentType.startsWith('application/json')) {
            this.spans.push(...decodeJsonRequest(JSON.parse(body.toString('utf8'))));
            res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
          } else throw new Error(`unexpected content type ${contentType}`);
          this.requests.push({ contentType, status: 200 });
        } catch (e) {
          this.requests.push({ contentType, status: 400 });
          res.writeHead(400, { 'content-type': 'text/plain' }).end((e as Error).message);
        }
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }
}

// ---- JSON (OTLP/JSON: hex ids, AnyValue objects) -------------------------------------------------

function jsonValue(v: Record<string, unknown> | undefined): unknown {
  if (!v) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('arrayValue' in v) return ((v.arrayValue as { values?: Record<string, unknown>[] }).values ?? []).map(jsonValue);
  if ('bytesValue' in v) return v.bytesValue;
  return JSON.stringify(v);
}

function jsonAttributes(list: { key: string; value: Record<string, unknown> }[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, jsonValue(kv.value)]));
}

function decodeJsonRequest(req: any): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of req.resourceSpans ?? []) {
    const service = String(jsonAttributes(rs.resource?.attributes)['service.name'] ?? '');
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          service,
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? '',
          name: s.name,
          kind: s.kind,
          attributes: jsonAttributes(s.attributes),
          status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
          events: (s.events ?? []).map((e: any) => ({ name: e.name, attributes: jsonAttributes(e.attributes) })),
          links: (s.links ?? []).map((l: any) => ({ traceId: l.traceId, spanId: l.spanId })),
          encoding: 'json',
        });
      }
    }
  }
  return out;
}

// ---- protobuf (opentelemetry/proto/collector/trace/v1 ExportTraceServiceRequest) -----------------

type Field = { no: number; wire: number; value: bigint | Buffer };

/** Splits a protobuf message into its fields (varint, 64-bit, length-delimited, 32-bit). */
function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (i >= buf.length) throw new Error('truncated varint');
      const b = buf[i++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ no, wire, value: varint() });
    else if (wire === 1) {
      out.push({ no, wire, value: buf.subarray(i, i + 8) });
      i += 8;
    } else if (wire === 2) {
      const len = Number(varint());
      if (i + len > buf.length) throw new Error('truncated field');
      out.push({ no, wire, value: buf.subarray(i, i + len) });
      i += len;
    } else if (wire === 5) {
      out.push({ no, wire, value: buf.subarray(i, i + 4) });
      i += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const all = (fs: Field[], no: number) => fs.filter((f) => f.no === no).map((f) => f.value);
const bytes = (fs: Field[], no: number) => (all(fs, no)[0] as Buffer | undefined) ?? Buffer.alloc(0);
const str = (fs: Field[], no: number) => bytes(fs, no).toString('utf8');
const num = (fs: Field[], no: number) => Number((all(fs, no)[0] as bigint | undefined) ?? 0n);

function anyValue(buf: Buffer): unknown {
  const f = fields(buf)[0];
  if (!f) return undefined;
  switch (f.no) {
    case 1:
      return (f.value as Buffer).toString('utf8');
    case 2:
      return f.value === 1n;
    case 3:
      return Number(BigInt.asIntN(64, f.value as bigint));
    case 4:
      return (f.value as Buffer).readDoubleLE(0);
    case 5:
      return all(fields(f.value as Buffer), 1).map((v) => anyValue(v as Buffer));
    default:
      return (f.value as Buffer).toString('hex');
  }
}

function attributes(fs: Field[], no: number): Record<string, unknown> {
  return Object.fromEntries(
    all(fs, no).map((kv) => {
      const k = fields(kv as Buffer);
      return [str(k, 1), anyValue(bytes(k, 2))];
    }),
  );
}

function decodeProtobufRequest(body: Buffer): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rsBuf of all(fields(body), 1)) {
    const rs = fields(rsBuf as Buffer);
    const service = String(attributes(fields(bytes(rs, 1)), 1)['service.name'] ?? '');
    for (const ssBuf of all(rs, 2)) {
      for (const spanBuf of all(fields(ssBuf as Buffer), 2)) {
        const s = fields(spanBuf as Buffer);
        const status = fields(bytes(s, 15));
        out.push({
          service,
          traceId: bytes(s, 1).toString('hex'),
          spanId: bytes(s, 2).toString('hex'),
          parentSpanId: bytes(s, 4).toString('hex'),
          name: str(s, 5),
          kind: num(s, 6),
          attributes: attributes(s, 9),
          status: { code: num(status, 3), message: str(status, 2) },
          events: all(s, 11).map((e) => {
            const ef = fields(e as Buffer);
            return { name: str(ef, 2), attributes: attributes(ef, 3) };
          }),
          links: all(s, 13).map((l) => {
            const lf = fields(l as Buffer);
            return { traceId: bytes(lf, 1).toString('hex'), spanId: bytes(lf, 2).toString('hex') };
          }),
          encoding: 'protobuf',
        });
      }
    }
  }
  return out;
}
