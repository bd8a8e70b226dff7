import 'reflect-metadata';
import { ConfigValidationError } from './validate-env.js';
import { loadIngressConfig, loadWorkerConfig } from './gateway.config.js';

const KEY = 'k'.repeat(11) + 'abcdefghijklmnopqrstuvwxyz0123456789';
const TOKEN = 'an-admin-token-of-enough-length-0123';

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigValidationError);
    return (e as ConfigValidationError).problems;
  }
  throw new Error('expected the configuration to be refused');
}

describe('production is the default', () => {
  it('a process started without NODE_ENV runs as production and names every missing setting at once', () => {
    const problems = problemsOf(() => loadIngressConfig({}));
    expect(problems).toEqual([
      expect.stringMatching(/^SECRETS_KEY is required in production/),
      expect.stringMatching(/^ADMIN_TOKEN is required in production/),
      expect.stringMatching(/^PUBLIC_BASE_URL is required in production/),
    ]);
    expect(problemsOf(() => loadWorkerConfig({}))).toEqual([expect.stringMatching(/^SECRETS_KEY is required in production/)]);
  });

  it('lists invalid values and missing production settings together', () => {
    const problems = problemsOf(() => loadIngressConfig({ PORT: 'many', SECRETS_KEY: KEY }));
    expect(problems.some((p) => p.startsWith('PORT'))).toBe(true);
    expect(problems.some((p) => p.startsWith('ADMIN_TOKEN is required'))).toBe(true);
    expect(problems.some((p) => p.startsWith('PUBLIC_BASE_URL is required'))).toBe(true);
  });

  it('in production: no generated admin token, no development secrets', () => {
    const cfg = loadIngressConfig({ SECRETS_KEY: KEY, ADMIN_TOKEN: TOKEN, PUBLIC_BASE_URL: 'https://bots.example.com' });
    expect(cfg.NODE_ENV).toBe('production');
    expect(cfg.ADMIN_TOKEN).toBe(TOKEN);
    expect((cfg as { adminTokenGenerated?: boolean }).adminTokenGenerated).toBeUndefined();
    expect(cfg.devSecretsAllowed).toBe(false);
    // A local demo says so explicitly.
    expect(loadIngressConfig({ SECRETS_KEY: KEY, ADMIN_TOKEN: TOKEN, PUBLIC_BASE_URL: 'http://localhost:3000', ALLOW_DEV_SECRETS: 'true' }).devSecretsAllowed).toBe(true);
  });

  it('development and test need none of it, and generate an admin token', () => {
    for (const NODE_ENV of ['development', 'test']) {
      const cfg = loadIngressConfig({ NODE_ENV });
      expect(cfg.devSecretsAllowed).toBe(true);
      expect(cfg.ADMIN_TOKEN).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(() => loadWorkerConfig({ NODE_ENV })).not.toThrow();
    }
  });
});

describe('the ingress\'s public URL and admin token', () => {
  it('in production the public URL is https (plain http only on loopback, to try it locally)', () => {
    expect(problemsOf(() => loadIngressConfig({ SECRETS_KEY: KEY, ADMIN_TOKEN: TOKEN, PUBLIC_BASE_URL: 'http://bots.example.com' }))).toEqual([expect.stringMatching(/^PUBLIC_BASE_URL must be an https URL in production/)]);
    for (const ok of ['https://bots.example.com', 'http://localhost:3000', 'http://127.0.0.1:3000']) {
      expect(loadIngressConfig({ SECRETS_KEY: KEY, ADMIN_TOKEN: TOKEN, PUBLIC_BASE_URL: ok }).publicBaseUrl).toBe(ok);
    }
    expect(loadIngressConfig({ NODE_ENV: 'development', PUBLIC_BASE_URL: 'http://bots.example.com' }).publicBaseUrl).toBe('http://bots.example.com');
  });

  it('refuses a padded placeholder as ADMIN_TOKEN, without printing it', () => {
    const problems = problemsOf(() => loadIngressConfig({ NODE_ENV: 'development', ADMIN_TOKEN: 'changeme'.repeat(3) }));
    expect(problems).toEqual([expect.stringMatching(/^ADMIN_TOKEN uses fewer than 8 distinct characters/)]);
    expect(problems.join()).not.toContain('changeme');
    // A short one is one problem, not one per rule.
    expect(problemsOf(() => loadIngressConfig({ NODE_ENV: 'development', ADMIN_TOKEN: 'short-token' }))).toEqual(['ADMIN_TOKEN is 11 bytes; at least 24 are required']);
  });
});

describe('GENESYS_BASE_URL', () => {
  const prod = { SECRETS_KEY: KEY, ADMIN_TOKEN: TOKEN, PUBLIC_BASE_URL: 'https://bots.example.com' };

  it('must be https; plain http only for a loopback emulator where development settings are allowed', () => {
    expect(loadWorkerConfig({ NODE_ENV: 'development', GENESYS_BASE_URL: 'http://127.0.0.1:9555' }).GENESYS_BASE_URL).toBe('http://127.0.0.1:9555');
    expect(problemsOf(() => loadWorkerConfig({ NODE_ENV: 'development', GENESYS_BASE_URL: 'http://genesys.example.com' }))).toEqual([expect.stringMatching(/^GENESYS_BASE_URL must be an https URL/)]);
    expect(problemsOf(() => loadIngressConfig({ ...prod, GENESYS_BASE_URL: 'http://127.0.0.1:9555' }))).toEqual([expect.stringMatching(/^GENESYS_BASE_URL: plain http .* is a development setting/)]);
    expect(loadIngressConfig({ ...prod, GENESYS_BASE_URL: 'https://genesys-proxy.example.com' }).GENESYS_BASE_URL).toBe('https://genesys-proxy.example.com');
  });
});

describe('METRICS_PORT', () => {
  const dev = { NODE_ENV: 'development' };

  it('is 9464 for both processes unless set; 0 turns the server off', () => {
    expect(loadIngressConfig(dev).metricsPort).toBe(9464);
    expect(loadWorkerConfig(dev).metricsPort).toBe(9464);
    expect(loadIngressConfig({ ...dev, METRICS_PORT: '0' }).metricsPort).toBe(0);
    expect(loadWorkerConfig({ ...dev, METRICS_PORT: '9100' }).metricsPort).toBe(9100);
  });

  it('the worker still honours WORKER_METRICS_PORT, and refuses it when it disagrees with METRICS_PORT', () => {
    expect(loadWorkerConfig({ ...dev, WORKER_METRICS_PORT: '0' }).metricsPort).toBe(0);
    expect(loadWorkerConfig({ ...dev, WORKER_METRICS_PORT: '9100', METRICS_PORT: '9100' }).metricsPort).toBe(9100);
    expect(problemsOf(() => loadWorkerConfig({ ...dev, WORKER_METRICS_PORT: '9100', METRICS_PORT: '9200' }))).toEqual([expect.stringMatching(/^METRICS_PORT \(9200\) and its older name WORKER_METRICS_PORT \(9100\) disagree/)]);
    // The ingress never had the old name: a shared environment's WORKER_METRICS_PORT does not move it.
    expect(loadIngressConfig({ ...dev, WORKER_METRICS_PORT: '0' }).metricsPort).toBe(9464);
  });

  it('the ingress keeps /metrics off the webhook port unless told, and refuses the same port for both', () => {
    expect(loadIngressConfig(dev).METRICS_ON_WEBHOOK_PORT).toBe(false);
    expect(loadIngressConfig({ ...dev, METRICS_ON_WEBHOOK_PORT: 'true' }).METRICS_ON_WEBHOOK_PORT).toBe(true);
    expect(problemsOf(() => loadIngressConfig({ ...dev, PORT: '9464' }))).toEqual([expect.stringMatching(/^METRICS_PORT must differ from PORT \(9464\)/)]);
    expect(loadIngressConfig({ ...dev, PORT: '9464', METRICS_PORT: '0' }).PORT).toBe(9464);
    expect(problemsOf(() => loadIngressConfig({ ...dev, METRICS_PORT: '70000' }))).toEqual([expect.stringMatching(/^METRICS_PORT/)]);
  });
});

describe('READINESS_CHECKS', () => {
  const dev = { NODE_ENV: 'development' };

  it('the ingress checks only draining by default; the worker also Redis', () => {
    expect(loadIngressConfig(dev).readinessChecks).toEqual(['shutdown']);
    expect(loadWorkerConfig(dev).readinessChecks).toEqual(['shutdown', 'redis']);
  });

  it('takes a comma list in any order and spacing, kept in a fixed order', () => {
    expect(loadIngressConfig({ ...dev, READINESS_CHECKS: ' workers, shutdown,redis ,queue' }).readinessChecks).toEqual(['shutdown', 'redis', 'queue', 'workers']);
    expect(loadWorkerConfig({ ...dev, READINESS_CHECKS: 'shutdown' }).readinessChecks).toEqual(['shutdown']);
  });

  it('refuses unknown checks and a list without shutdown, naming both', () => {
    expect(problemsOf(() => loadIngressConfig({ ...dev, READINESS_CHECKS: 'redis,db' }))).toEqual([
      'READINESS_CHECKS: unknown check "db" (known: shutdown, redis, queue, workers)',
      expect.stringMatching(/^READINESS_CHECKS must include shutdown/),
    ]);
    expect(problemsOf(() => loadWorkerConfig({ ...dev, READINESS_CHECKS: 'shutdown,redis,dbs' }))).toEqual(['READINESS_CHECKS: unknown check "dbs" (known: shutdown, redis, queue, workers)']);
  });

  it('a worker skips the ingress-only checks, so both processes can share one environment', () => {
    expect(loadWorkerConfig({ ...dev, READINESS_CHECKS: 'shutdown,redis,queue,workers' }).readinessChecks).toEqual(['shutdown', 'redis']);
    expect(loadWorkerConfig({ ...dev, READINESS_CHECKS: 'shutdown,workers' }).readinessChecks).toEqual(['shutdown']);
  });
});

describe('TRANSCRIPT_MAX_ENTRIES', () => {
  it('defaults to 500 and is read by both processes', () => {
    expect(loadIngressConfig({ NODE_ENV: 'test' }).TRANSCRIPT_MAX_ENTRIES).toBe(500);
    expect(loadWorkerConfig({ NODE_ENV: 'test', TRANSCRIPT_MAX_ENTRIES: '20' }).TRANSCRIPT_MAX_ENTRIES).toBe(20);
  });

  it('refuses values that would drop the handoff summary or let one transcript grow huge', () => {
    for (const v of ['0', '9', '100001', 'many', '5.5']) {
      expect(problemsOf(() => loadWorkerConfig({ NODE_ENV: 'test', TRANSCRIPT_MAX_ENTRIES: v })).some((p) => p.startsWith('TRANSCRIPT_MAX_ENTRIES'))).toBe(true);
    }
  });
});

describe('OpenTelemetry variables', () => {
  const dev = { NODE_ENV: 'development' } as const;

  it('leaves tracing off without an endpoint, or when the SDK or the exporter is switched off', () => {
    expect(loadWorkerConfig(dev).traceSettings).toBeUndefined();
    expect(loadWorkerConfig({ ...dev, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }).traceSettings).toBeUndefined();
    expect(loadWorkerConfig({ ...dev, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }).traceSettings).toBeUndefined();
  });

  it('reads the standard variables into the settings both processes start tracing with', () => {
    const s = loadIngressConfig({
      ...dev,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'edge',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_BSP_MAX_QUEUE_SIZE: '4096',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '1024',
      OTEL_BSP_EXPORT_TIMEOUT: '5000',
    }).traceSettings;
    expect(s).toEqual({
      url: 'http://collector:4318/v1/traces',
      protocol: 'http/json',
      serviceName: 'edge',
      sampler: 'parentbased_traceidratio',
      samplerArg: 0.25,
      redisCommands: false,
      batch: { scheduledDelayMillis: 200, maxQueueSize: 4096, maxExportBatchSize: 1024, exportTimeoutMillis: 5000 },
    });
    // The signal's own variables win over the generic ones; protobuf is the default encoding.
    expect(loadWorkerConfig({ ...dev, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/t', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' }).traceSettings).toMatchObject({ url: 'http://b:4318/t', protocol: 'http/protobuf', sampler: 'parentbased_always_on' });
  });

  it('refuses at start what the SDK would only log and replace with a default', () => {
    const problems = problemsOf(() =>
      loadWorkerConfig({ ...dev, OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_TRACES_SAMPLER: 'jaeger_remote', OTEL_TRACES_SAMPLER_ARG: '2', OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '500' }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^OTEL_EXPORTER_OTLP_ENDPOINT: must be an http\(s\) URL/),
        expect.stringMatching(/^OTEL_EXPORTER_OTLP_PROTOCOL: .*grpc is not supported/),
        expect.stringMatching(/^OTEL_TRACES_SAMPLER/),
        expect.stringMatching(/^OTEL_TRACES_SAMPLER_ARG/),
        'OTEL_BSP_MAX_EXPORT_BATCH_SIZE (500) must not exceed OTEL_BSP_MAX_QUEUE_SIZE (100)',
      ]),
    );
  });
});
