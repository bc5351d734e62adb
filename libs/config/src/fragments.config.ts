import { env } from './config-var';
import { loadConfig } from './load-config';

/** PostgreSQL: the system of record. Pool defaults suit a small production node. */
export const databaseConfig = {
  url: env.url('DATABASE_URL', ['postgres:', 'postgresql:'], {
    default: 'postgres://weft:weft@127.0.0.1:5432/weft',
    doc: 'PostgreSQL (15+, with pgvector) connection URL of the primary',
  }),
  readUrls: env.urlList('DATABASE_READ_URLS', ['postgres:', 'postgresql:'], {
    default: '',
    doc: 'read replicas; reads that may lag go to them in turn, writes stay on the primary',
  }),
  poolMax: env.int('DATABASE_POOL_MAX', { default: '20', min: 1, max: 500, doc: 'connections per service process' }),
  poolIdleTimeoutMs: env.int('DATABASE_POOL_IDLE_TIMEOUT_MS', { default: '30000', min: 1000, doc: 'idle connection lifetime' }),
  connectTimeoutMs: env.int('DATABASE_CONNECT_TIMEOUT_MS', { default: '5000', min: 100, doc: 'time allowed to open a connection' }),
  statementTimeoutMs: env.int('DATABASE_STATEMENT_TIMEOUT_MS', { default: '30000', min: 100, doc: 'server-side statement timeout' }),
};

/** Redis: rate limits, shared cache tier, short-lived coordination. */
export const redisConfig = {
  url: env.url('REDIS_URL', ['redis:', 'rediss:'], { default: 'redis://127.0.0.1:6379', doc: 'Redis connection URL' }),
  keyPrefix: env.string('REDIS_KEY_PREFIX', { default: 'weft:', doc: 'prefix of every key Weft writes' }),
  sentinels: env.urlList('REDIS_SENTINELS', ['redis:'], {
    default: '',
    doc: 'Redis Sentinels (`redis://[:password@]host:26379`, comma-separated); when set, Weft asks them where the primary of `REDIS_SENTINEL_MASTER` is and follows a failover, and `REDIS_URL` gives only the password, user and database number',
  }),
  sentinelMaster: env.string('REDIS_SENTINEL_MASTER', { default: 'weft', doc: 'the name the Sentinels monitor the primary under' }),
};

/** NATS with JetStream: the message bus between services. */
export const natsConfig = {
  servers: env.urlList('NATS_URL', ['nats:', 'tls:'], { default: 'nats://127.0.0.1:4222', doc: 'NATS server URL(s), comma-separated' }),
  subjectPrefix: env.optionalString('NATS_SUBJECT_PREFIX', {
    doc: 'prefix for every subject and stream name, to run several isolated stacks on one NATS',
  }),
  requestTimeoutMs: env.int('NATS_REQUEST_TIMEOUT_MS', { default: '5000', min: 50, doc: 'default timeout of a NATS request' }),
  streamReplicas: env.int('NATS_STREAM_REPLICAS', {
    default: '1',
    min: 1,
    max: 5,
    doc: 'copies JetStream keeps of every Weft stream (runs, jobs, audit events); 1 on a single NATS server, 3 on a three-server cluster (what Compose and Kubernetes run) so a stream survives the loss of one server. The stream manager applies a change at its next start',
  }),
  credentialsDir: env.optionalString('NATS_CREDENTIALS_DIR', {
    doc: "directory holding `<service>.nk`, the NKey seed of each service's NATS user (`npm run nats:config` writes them with the server config); unset: connect without authentication. `npm start` and the tests use the project-local NATS with the seeds under `.weft/nats-auth`",
  }),
  tlsCaFile: env.optionalString('NATS_TLS_CA_FILE', { doc: 'CA certificate (PEM) to verify the NATS server with; set with `tls://` URLs' }),
  tlsCertFile: env.optionalString('NATS_TLS_CERT_FILE', { doc: 'client certificate (PEM), when the NATS server verifies clients' }),
  tlsKeyFile: env.optionalString('NATS_TLS_KEY_FILE', { doc: 'private key (PEM) of the client certificate' }),
};

/**
 * The check of a "current key id" variable against the key list it picks from (`listEnv`, an
 * `env.keyList`): unset is fine, otherwise the id must be listed (or be `k1` when the list is empty).
 */
export function currentKeyIdCheck(listEnv: string): (id: string | undefined, valueOf: (env: string) => unknown) => string | undefined {
  return (id, valueOf) => {
    const listed = Object.keys((valueOf(listEnv) as Record<string, string> | undefined) ?? {});
    const ids = listed.length > 0 ? listed : ['k1'];
    return id === undefined || ids.includes(id) ? undefined : `no key with id "${id}"; the known ids are ${ids.join(', ')}`;
  };
}

/** Secret material shared by the services that seal secrets at rest (provider credentials, secret environment variables). */
export const securityConfig = {
  secretKey: env.string('SECRET_KEY', {
    default: 'weft-development-secret-key-change-me',
    secret: true,
    productionMinLength: 32,
    doc: 'signs console tokens, the job grants that bind the node runner to the workspace of its job and signed file links, and derives the keys that encrypt secrets at rest, seal the audit chain and key end-user pseudonyms; in production at least 32 random characters (e.g. `openssl rand -base64 48`), the same in every service',
  }),
  encryptionKeys: env.keyList('ENCRYPTION_KEYS', {
    default: '',
    minLength: 32,
    secret: true,
    doc: 'keys that encrypt secrets at rest (provider credentials, secret environment variables), as `id:material` pairs, e.g. `k1:<old>,k2:<new>`; unset means one key `k1` derived from SECRET_KEY. Keep an old key listed until `npm run secrets:rotate` has re-encrypted its values (see docs/operations.md)',
  }),
  encryptionCurrentKeyId: env.optionalString('ENCRYPTION_CURRENT_KEY_ID', {
    doc: 'id of the ENCRYPTION_KEYS key that encrypts new values (default: the last one listed, or `k1` when ENCRYPTION_KEYS is unset)',
    check: currentKeyIdCheck('ENCRYPTION_KEYS'),
  }),
};

/**
 * Where uploaded files are kept. The gateway writes them and the node runner reads them back for
 * workflows, so both services must be given the same settings (and, for local storage, the same folder).
 */
export const storageConfig = {
  type: env.enum('STORAGE_TYPE', ['local', 's3'] as const, { default: 'local', doc: 'where uploaded files are kept' }),
  localPath: env.string('STORAGE_LOCAL_PATH', { default: '.weft/storage', doc: 'folder for uploaded files when STORAGE_TYPE=local' }),
  s3Bucket: env.string('S3_BUCKET_NAME', { default: 'weft', doc: 'bucket for uploaded files when STORAGE_TYPE=s3' }),
  s3Endpoint: env.optionalString('S3_ENDPOINT', { doc: 'S3-compatible endpoint URL (unset means AWS)' }),
  s3Region: env.string('S3_REGION', { default: 'us-east-1', doc: 'S3 region' }),
  s3AccessKey: env.optionalString('S3_ACCESS_KEY', { secret: true, doc: 'S3 access key id' }),
  s3SecretKey: env.optionalString('S3_SECRET_KEY', { secret: true, doc: 'S3 secret access key' }),
};

/**
 * The largest file a tool may produce (a built-in's audio or image, an MCP tool's blob). The node runner
 * checks it before storing the bytes and the gateway again before recording them, so both read it.
 */
export const toolFileMaxMb = env.int('TOOL_FILE_SIZE_LIMIT', {
  default: '30',
  min: 1,
  max: 1024,
  doc: "largest file one tool call may produce (stored for the node's `files` output), in MB; a larger one fails the node",
});

/** Logging and error reporting. */
export const loggingConfig = {
  level: env.enum('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, {
    default: 'info',
    doc: 'minimum log level',
  }),
  pretty: env.bool('LOG_PRETTY', { default: 'false', doc: 'human-readable logs instead of JSON (development only)' }),
  sentryDsn: env.optionalString('SENTRY_DSN', { secret: true, doc: 'when set, errors are reported to Sentry' }),
};

/**
 * OpenTelemetry tracing, under the standard `OTEL_*` names (the same variables any OpenTelemetry SDK reads).
 * Tracing is off unless a traces endpoint is set (or OTEL_TRACES_EXPORTER=console); read by @weft/tracing
 * before anything else loads, and listed here so the README documents them and a bad value stops the service.
 */
export const tracingConfig = {
  sdkDisabled: env.bool('OTEL_SDK_DISABLED', { default: 'false', doc: 'true turns tracing off whatever else is set' }),
  exporter: env.enum('OTEL_TRACES_EXPORTER', ['otlp', 'none', 'console'] as const, {
    default: 'otlp',
    doc: 'where spans go: `otlp` (to OTEL_EXPORTER_OTLP_ENDPOINT; without an endpoint nothing is traced), `none` (tracing off), `console` (printed to stdout, for development)',
  }),
  endpoint: env.optionalUrl('OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:'], {
    doc: 'base URL of an OTLP/HTTP receiver (an OpenTelemetry Collector, Jaeger, Grafana Tempo, Langfuse), e.g. `http://otel-collector:4318`; spans go to `<base>/v1/traces`. setting it (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) turns tracing on',
  }),
  tracesEndpoint: env.optionalUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', ['http:', 'https:'], {
    doc: 'full URL spans are posted to, used as given (overrides OTEL_EXPORTER_OTLP_ENDPOINT for traces)',
  }),
  headers: env.optionalString('OTEL_EXPORTER_OTLP_HEADERS', {
    secret: true,
    doc: 'headers sent with every export, as `key=value` pairs separated by commas (values URL-encoded), e.g. `Authorization=Basic%20…` for Langfuse or a hosted backend',
  }),
  protocol: env.string('OTEL_EXPORTER_OTLP_PROTOCOL', {
    default: 'http/protobuf',
    doc: "OTLP encoding: `http/protobuf` or `http/json`; `grpc` is not supported (point it at the receiver's HTTP port, 4318, instead)",
    check: (value: string) =>
      value === 'http/protobuf' || value === 'http/json'
        ? undefined
        : value === 'grpc'
          ? "grpc is not supported: Weft exports OTLP over HTTP; use http/protobuf (or http/json) and the receiver's HTTP port (4318)"
          : 'expected http/protobuf or http/json',
  }),
  serviceName: env.optionalString('OTEL_SERVICE_NAME', {
    doc: 'the `service.name` of every span (default `weft-<service>`, e.g. `weft-gateway`); one value for all services merges them in the trace view, so leave it unset unless each service gets its own',
  }),
  resourceAttributes: env.optionalString('OTEL_RESOURCE_ATTRIBUTES', {
    doc: 'extra resource attributes, `key=value` pairs separated by commas, e.g. `deployment.environment=staging,k8s.namespace.name=weft`; `deployment.environment` defaults to NODE_ENV',
  }),
  sampler: env.enum(
    'OTEL_TRACES_SAMPLER',
    ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const,
    {
      default: 'parentbased_traceidratio',
      doc: "which traces are kept; the parent-based samplers follow the caller's decision (a trace is kept whole or not at all across services)",
    },
  ),
  samplerArg: env.number('OTEL_TRACES_SAMPLER_ARG', {
    default: '1',
    min: 0,
    max: 1,
    doc: 'the ratio of new traces kept by the `traceidratio` samplers, e.g. `0.1` for 10%',
  }),
  bspScheduleDelayMs: env.int('OTEL_BSP_SCHEDULE_DELAY', {
    default: '5000',
    min: 1,
    doc: 'milliseconds between two exports of the finished spans a service holds (the batch span processor; sooner when a full batch is waiting)',
  }),
  bspMaxQueueSize: env.int('OTEL_BSP_MAX_QUEUE_SIZE', {
    default: '2048',
    min: 1,
    doc: 'finished spans a service holds for export at most; spans beyond it are dropped (counted by the SDK), never blocking the work',
  }),
  bspMaxExportBatchSize: env.int('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', {
    default: '512',
    min: 1,
    doc: 'spans sent in one export at most (no more than OTEL_BSP_MAX_QUEUE_SIZE)',
  }),
  bspExportTimeoutMs: env.int('OTEL_BSP_EXPORT_TIMEOUT', {
    default: '30000',
    min: 1,
    doc: 'milliseconds one export may take before it is abandoned',
  }),
};

/** Readiness thresholds and shutdown behaviour. */
export const runtimeConfig = {
  diskPath: env.string('READY_DISK_PATH', { default: '/', doc: 'file system whose usage /ready checks' }),
  diskThreshold: env.number('READY_DISK_THRESHOLD', {
    default: '0.95',
    min: 0.01,
    max: 1,
    doc: 'used fraction of the disk above which /ready fails',
  }),
  memoryRssMb: env.int('READY_MEMORY_RSS_MB', { default: '1536', min: 64, doc: 'resident memory above which /ready fails' }),
  shutdownTimeoutMs: env.int('SHUTDOWN_TIMEOUT_MS', { default: '10000', min: 100, doc: 'time in-flight work gets to finish on SIGTERM' }),
};

/** Jinja2 rendering (template-transform nodes in the orchestrator, jinja2 prompts in node runners), done in worker threads. */
export const templatesConfig = {
  timeoutMs: env.int('TEMPLATE_RENDER_TIMEOUT_MS', {
    default: '2000',
    min: 50,
    doc: 'time one Jinja2 template (a template-transform node or a jinja2 prompt of an llm node) may take to render before its node fails; the worker thread rendering it is stopped and replaced',
  }),
  workers: env.int('TEMPLATE_RENDER_WORKERS', {
    default: '1',
    min: 1,
    max: 16,
    doc: 'worker threads rendering Jinja2 templates per orchestrator and per node runner, off the event loop; further renders wait for a free one',
  }),
};

/** The HTTP listener of a service; each service has its own port variable. */
export function httpConfig(portVariable: string, defaultPort: number) {
  return {
    host: env.string('HTTP_HOST', { default: '127.0.0.1', doc: 'address every service binds its HTTP port to (0.0.0.0 in containers)' }),
    port: env.port(portVariable, { default: String(defaultPort), doc: 'HTTP port' }),
  };
}

/**
 * The tracing settings, plus the deployment environment (NODE_ENV, `development` when unset) that becomes
 * the spans' `deployment.environment`. Read by @weft/tracing before the rest of the service loads.
 */
export function loadTracingSettings(service: string, source: NodeJS.ProcessEnv = process.env) {
  return { ...loadConfig(service, tracingConfig, source), environment: source['NODE_ENV'] || 'development' };
}
