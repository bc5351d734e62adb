import { z } from 'zod';
import { ServiceName } from '@weft/contracts';
import { ConfigSpec, env } from './config-var';
import {
  currentKeyIdCheck,
  databaseConfig,
  httpConfig,
  loggingConfig,
  natsConfig,
  redisConfig,
  runtimeConfig,
  securityConfig,
  storageConfig,
  templatesConfig,
  toolFileMaxMb,
  tracingConfig,
} from './fragments.config';

/** A check that an optional mail setting is given whenever MAIL_TYPE is. */
const requiredForMail = (value: string | undefined, valueOf: (env: string) => unknown) =>
  value === undefined && valueOf('MAIL_TYPE') !== undefined ? 'it must be set when MAIL_TYPE is set' : undefined;

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

const common = {
  logging: loggingConfig,
  nats: natsConfig,
  redis: redisConfig,
  runtime: runtimeConfig,
  tracing: tracingConfig,
};

export const gatewayConfigSpec = {
  ...common,
  database: databaseConfig,
  http: httpConfig('GATEWAY_PORT', 5001),
  security: securityConfig,
  auth: {
    accessTokenTtlMinutes: env.int('ACCESS_TOKEN_EXPIRE_MINUTES', {
      default: '15',
      min: 1,
      doc: 'lifetime of console access tokens, in minutes',
    }),
    refreshTokenTtlDays: env.int('REFRESH_TOKEN_EXPIRE_DAYS', {
      default: '30',
      min: 1,
      doc: 'lifetime of console refresh tokens, in days',
    }),
    signingKeys: env.keyList('JWT_SIGNING_KEYS', {
      default: '',
      minLength: 32,
      secret: true,
      doc: 'keys that sign console tokens, as comma-separated `id:secret` pairs (secrets of at least 32 characters); unset means one key `k1` derived from SECRET_KEY. Keep a retired key listed until its tokens have expired',
    }),
    currentSigningKeyId: env.optionalString('JWT_CURRENT_KEY_ID', {
      doc: 'id of the JWT_SIGNING_KEYS key that signs new tokens (default: the last one listed)',
      check: currentKeyIdCheck('JWT_SIGNING_KEYS'),
    }),
    passwordMinLength: env.int('PASSWORD_MIN_LENGTH', { default: '12', min: 8, max: 256, doc: 'shortest console password accepted' }),
    passwordRequireClasses: env.bool('PASSWORD_REQUIRE_CHARACTER_CLASSES', {
      default: 'true',
      doc: 'whether a console password needs an upper-case letter, a lower-case letter, a digit and a special character',
    }),
    loginSlowdownAfter: env.int('LOGIN_SLOWDOWN_AFTER_FAILURES', {
      default: '3',
      min: 1,
      doc: 'failed logins for one email (or 4x as many from one address) after which each further attempt is delayed, doubling from 250 ms up to 4 s',
    }),
    loginLockoutAfter: env.int('LOGIN_LOCKOUT_AFTER_FAILURES', {
      default: '10',
      min: 1,
      doc: 'failed logins for one email (or 4x as many from one address) within the lockout window after which logins are refused with 429 until the window passes',
    }),
    loginLockoutMinutes: env.int('LOGIN_LOCKOUT_MINUTES', {
      default: '15',
      min: 1,
      doc: 'how long failed logins are counted, and how long a lockout lasts, in minutes',
    }),
    invitationTtlHours: env.int('INVITATION_EXPIRE_HOURS', {
      default: '72',
      min: 1,
      doc: 'how long a workspace invitation link works, in hours',
    }),
    emailRegisterTokenTtlMinutes: env.int('EMAIL_REGISTER_TOKEN_EXPIRY_MINUTES', {
      default: '5',
      min: 1,
      max: 1440,
      doc: 'how long a sign-up verification code (and, once confirmed, the token that completes the sign-up) works, in minutes (Dify default)',
    }),
    resetPasswordTokenTtlMinutes: env.int('RESET_PASSWORD_TOKEN_EXPIRY_MINUTES', {
      default: '5',
      min: 1,
      max: 1440,
      doc: 'how long a password reset code (and, once confirmed, the token that sets the new password) works, in minutes (Dify default)',
    }),
  },
  audio: {
    maxMb: env.int('AUDIO_FILE_SIZE_LIMIT', {
      default: '30',
      min: 1,
      max: 1024,
      doc: 'largest audio file POST /v1/audio-to-text accepts, in MB (Dify default)',
    }),
  },
  files: {
    linkTtlSeconds: env.int('FILES_ACCESS_TIMEOUT', {
      default: '300',
      min: 1,
      max: 86_400,
      doc: "how long a signed file link works (a knowledge document's `url` and `download_url` from its upload-file route), in seconds (Dify's default)",
    }),
    maxBytes: env.int('UPLOAD_FILE_SIZE_LIMIT', { default: '15', min: 1, doc: 'largest file POST /v1/files/upload accepts, in MB' }),
    publicUrl: env.optionalString('FILES_URL', {
      doc: 'public address of the gateway (e.g. https://weft.example.com) that signed file links start with; unset, a link is a path on the gateway (`/files/{id}/file-preview?…`)',
      check: (value: string | undefined) =>
        value === undefined || isHttpUrl(value) ? undefined : 'expected a URL starting with http:// or https://',
    }),
    storage: storageConfig,
    toolFileMaxMb,
  },
  mail: {
    consoleWebUrl: env.optionalString('CONSOLE_WEB_URL', {
      doc: 'public address of the console (e.g. https://weft.example.com), for the links in invitation mails; unset, a mail gives the link as a path with its token',
      check: (value: string | undefined) =>
        value === undefined || isHttpUrl(value) ? undefined : 'expected a URL starting with http:// or https://',
    }),
    defaultSendFrom: env.optionalString('MAIL_DEFAULT_SEND_FROM', {
      doc: 'sender of every mail, e.g. `Weft <no-reply@example.com>`; needed when MAIL_TYPE is set',
      check: requiredForMail,
    }),
    smtpOpportunisticTls: env.bool('SMTP_OPPORTUNISTIC_TLS', {
      default: 'false',
      doc: 'with SMTP_USE_TLS, connect in plain text and upgrade with STARTTLS (usually port 587) instead of speaking TLS from the start (port 465); the upgrade is required, never skipped',
      check: (value: boolean, valueOf) => (value && valueOf('SMTP_USE_TLS') === false ? 'needs SMTP_USE_TLS=true' : undefined),
    }),
    smtpPassword: env.optionalString('SMTP_PASSWORD', { secret: true, doc: 'password for SMTP_USERNAME' }),
    smtpPort: env.port('SMTP_PORT', { default: '465', doc: 'port of the SMTP server' }),
    smtpServer: env.optionalString('SMTP_SERVER', {
      doc: 'host name of the SMTP server mail is sent through; needed when MAIL_TYPE=smtp',
      check: requiredForMail,
    }),
    smtpUsername: env.optionalString('SMTP_USERNAME', { doc: 'user name for the SMTP server, when it asks for one' }),
    smtpUseTls: env.bool('SMTP_USE_TLS', {
      default: 'true',
      doc: 'encrypt the connection to the SMTP server (TLS from the start, or STARTTLS with SMTP_OPPORTUNISTIC_TLS); false sends mail, and SMTP_PASSWORD, in plain text, for a relay on a trusted network only',
    }),
    type: env.optionalEnum('MAIL_TYPE', ['smtp'] as const, {
      doc: 'how the gateway sends mail (sign-up codes, password resets, invitations): `smtp`, or unset for no mail. Without mail only the first account may sign itself up; everyone else joins by invitation (see "Accounts and mail" in the README)',
    }),
  },
  protection: {
    consoleCorsOrigins: env.stringList('CONSOLE_CORS_ALLOW_ORIGINS', {
      default: '',
      doc: 'origins (e.g. https://console.example.com, comma-separated, or *) whose browsers may call /console/api; empty means same-origin only',
    }),
    maxActiveRequests: env.int('APP_MAX_ACTIVE_REQUESTS', {
      default: '0',
      min: 0,
      doc: 'runs (workflow, chat and completion calls) one app may have in progress at once across all gateways, 0 for no limit; an app setting can only lower it (Dify default)',
    }),
    consoleRateLimitPerAccountPerMinute: env.int('CONSOLE_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE', {
      default: '600',
      min: 0,
      doc: 'console API requests one signed-in account may make per minute across all gateways; 0 turns the limit off',
    }),
    consoleRateLimitPerIpPerMinute: env.int('CONSOLE_RATE_LIMIT_PER_IP_PER_MINUTE', {
      default: '600',
      min: 0,
      doc: 'console API requests one client address may make per minute across all gateways; 0 turns the limit off',
    }),
    consoleSensitiveRateLimitPerIpPerMinute: env.int('CONSOLE_SENSITIVE_RATE_LIMIT_PER_IP_PER_MINUTE', {
      default: '20',
      min: 0,
      doc: 'requests per minute one client address may make to the console routes that create accounts, check a password or a mailed code, or send mail (register and its code routes, activate, invitations, login, password change and reset, erasure, ownership transfer); 0 turns the limit off',
    }),
    rateLimitPerIpPerMinute: env.int('RATE_LIMIT_PER_IP_PER_MINUTE', {
      default: '100',
      min: 0,
      doc: 'Service API (/v1) requests one client address may make per minute across all gateways; 0 turns the limit off',
    }),
    rateLimitPerMinute: env.int('RATE_LIMIT_PER_MINUTE', {
      default: '100',
      min: 0,
      doc: 'Service API requests one API key may make per minute across all gateways, unless its app sets its own; 0 turns the limit off',
    }),
    requestTimeoutMs: env.int('REQUEST_TIMEOUT_MS', {
      default: '60000',
      min: 100,
      doc: 'time a request may take before it is answered with 504; runs (blocking or streaming) and event streams are exempt, they end with the workflow time limit',
    }),
    trustProxy: env.string('TRUST_PROXY', {
      default: 'false',
      doc: 'which proxies in front of the gateway may name the client address in X-Forwarded-For: false, true (any), a hop count, or comma-separated addresses/CIDRs (or loopback, uniquelocal)',
    }),
    webApiCorsOrigins: env.stringList('WEB_API_CORS_ALLOW_ORIGINS', {
      default: '*',
      doc: 'origins (comma-separated, or *) whose browsers may call the Service API (/v1); without credentials (Dify default *)',
    }),
  },
  providers: {
    allowedHosts: env.optionalString('PROVIDER_ALLOWED_HOSTS', {
      doc: 'hosts or CIDRs (comma-separated) that model, embedding, rerank and speech provider base URLs may reach although private (a local model server); workflows cannot reach them',
    }),
  },
  runs: {
    dispatchDeadlineMs: env.int('RUN_DISPATCH_DEADLINE_MS', {
      default: '60000',
      min: 1000,
      doc: 'how long the gateway keeps sending a run start (same run id, short backoff) while no orchestrator answers it; keep it above RUN_LEASE_TTL_MS so a start whose orchestrator died is taken over',
    }),
  },
  console: {
    grafanaUrl: env.optionalUrl('CONSOLE_GRAFANA_URL', ['http:', 'https:'], {
      doc: "the Grafana the web console's System page links to (e.g. `https://grafana.example.com/d/weft`); unset shows no link",
    }),
    traceUrlTemplate: env.optionalUrl('CONSOLE_TRACE_URL_TEMPLATE', ['http:', 'https:'], {
      doc: "the link to a run's trace in the web console, `{trace_id}` standing for the run's trace id (e.g. `http://jaeger:16686/trace/{trace_id}`); unset shows no link",
    }),
  },
  systemStatus: {
    timeoutMs: env.int('SYSTEM_STATUS_TIMEOUT_MS', { default: '1500', min: 50, doc: 'how long /v1/system/status waits for each service' }),
    token: env.optionalString('SYSTEM_STATUS_TOKEN', {
      secret: true,
      doc: 'the operators\' token: when set, /v1/system/status requires "Authorization: Bearer <token>" (unset means open, for development), and the platform-wide audit check /v1/system/audit/verify answers only to it (unset means closed)',
    }),
  },
};

export const orchestratorConfigSpec = {
  ...common,
  database: databaseConfig,
  http: httpConfig('ORCHESTRATOR_PORT', 5002),
  security: securityConfig,
  retention: {
    archiveAfterDays: env.int('RUN_ARCHIVE_AFTER_DAYS', {
      default: '90',
      min: 1,
      doc: 'finished workflow runs (with their node runs) older than this many days move from the live tables to the archive tables; archived runs stay readable',
    }),
    archiveBatchPauseMs: env.int('RUN_ARCHIVE_BATCH_PAUSE_MS', {
      default: '50',
      min: 0,
      max: 60000,
      doc: 'pause between two batches of the archive and retention jobs, so live writes get the database in between',
    }),
    archiveBatchSize: env.int('RUN_ARCHIVE_BATCH_SIZE', {
      default: '1000',
      min: 1,
      max: 100000,
      doc: 'runs (with their node runs) the archive and retention jobs move or delete per transaction; smaller batches hold row locks for less time',
    }),
    dataRetentionDays: env.int('DATA_RETENTION_DAYS', {
      default: '2557',
      min: 1,
      doc: 'runs and node runs (live and archived) older than this many days (default 7 years) are deleted, unless the workspace sets its own period or is under legal hold',
    }),
    intervalMinutes: env.int('RETENTION_INTERVAL_MINUTES', {
      default: '60',
      min: 1,
      doc: 'how often an orchestrator replica runs the archive and retention jobs (one replica at a time per job, under a Postgres advisory lock)',
    }),
  },
  templates: templatesConfig,
  workflow: {
    leaseTtlMs: env.int('RUN_LEASE_TTL_MS', {
      default: '15000',
      min: 1000,
      doc: 'how long a run stays owned by an orchestrator that stopped renewing it before another one resumes it',
    }),
    maxSteps: env.int('WORKFLOW_MAX_EXECUTION_STEPS', { default: '500', min: 1, doc: 'node executions a run may start (Dify default)' }),
    maxTimeSeconds: env.int('WORKFLOW_MAX_EXECUTION_TIME', {
      default: '1200',
      min: 1,
      doc: 'seconds a run may take, checked as nodes finish (Dify default)',
    }),
  },
};

// The node runner keeps nothing durable, so it has no database settings; it reads uploaded files from the
// gateway's file storage, so it shares the storage settings.
export const nodeRunnerConfigSpec = {
  ...common,
  http: httpConfig('NODE_RUNNER_PORT', 5003),
  storage: storageConfig,
  code: {
    isolation: {
      allowWeak: env.bool('CODE_SANDBOX_ALLOW_WEAK_ISOLATION', {
        default: 'false',
        doc: 'run code nodes even where the bubblewrap sandbox cannot start, as plain child processes that can read the host (unsafe with untrusted editors; logged as a warning and shown in /v1/system/status). Unset, such a node runner refuses code nodes and says why',
      }),
      bwrapPath: env.string('CODE_SANDBOX_BWRAP_PATH', {
        default: '/usr/bin/bwrap',
        doc: 'the bubblewrap binary that confines code nodes',
      }),
      pythonPath: env.string('CODE_PYTHON_PATH', {
        default: '/usr/bin/python3',
        doc: 'the CPython that runs Python code nodes inside the sandbox; it must be under /usr (the only host folder the sandbox sees) and have python3-seccomp',
      }),
    },
    javascriptWorkers: env.int('CODE_JAVASCRIPT_WORKERS', {
      default: '2',
      min: 1,
      max: 32,
      doc: 'sandboxed JavaScript hosts kept per node runner; each runs one code node at a time',
    }),
    maxConcurrent: env.int('CODE_MAX_CONCURRENT', {
      default: '8',
      min: 1,
      max: 256,
      doc: 'code nodes one node runner executes at the same time; the rest wait for a slot',
    }),
    maxConcurrentPerWorkspace: env.int('CODE_MAX_CONCURRENT_PER_WORKSPACE', {
      default: '4',
      min: 1,
      max: 256,
      doc: 'of those, most one workspace may hold, so a workspace that floods code nodes cannot take every slot; its other code nodes wait',
    }),
    maxOutputBytes: env.int('CODE_MAX_OUTPUT_BYTES', { default: '1048576', min: 1024, doc: 'size of the result a code node may return' }),
    memoryMb: env.int('CODE_MAX_MEMORY_MB', { default: '64', min: 8, max: 4096, doc: 'memory a code node may use' }),
    pythonWorkers: env.int('CODE_PYTHON_WORKERS', {
      default: '2',
      min: 1,
      max: 32,
      doc: 'Python run processes kept forked and isolated ahead of time per node runner; each is used for one run',
    }),
    scratchMb: env.int('CODE_SCRATCH_MB', {
      default: '16',
      min: 1,
      max: 1024,
      doc: 'size of the private /tmp a Python code node may write to',
    }),
    timeoutMs: env.int('CODE_EXECUTION_TIMEOUT_MS', {
      default: '5000',
      min: 50,
      doc: 'time a code node may run (wall clock; CPU time is capped at the same, rounded up to seconds)',
    }),
  },
  httpRequest: {
    maxResponseBytes: env.int('HTTP_REQUEST_MAX_RESPONSE_BYTES', {
      default: '10485760',
      min: 1024,
      doc: 'largest response body an http-request node or provider call accepts',
    }),
    maxTimeoutSeconds: env.int('HTTP_REQUEST_MAX_TIMEOUT', {
      default: '60',
      min: 1,
      doc: 'upper bound of an http-request node timeout, in seconds',
    }),
    ssrfAllowedHosts: env.optionalString('SSRF_ALLOWED_HOSTS', {
      doc: 'hosts or CIDRs (comma-separated) that http-request nodes and files fetched by URL may reach although private, loopback or link-local',
    }),
  },
  tools: {
    tavilyBaseUrl: env.string('TOOL_TAVILY_BASE_URL', {
      default: 'https://api.tavily.com',
      doc: "where the built-in tavily tool sends searches (Tavily's API, or a proxy speaking it); reached through the SSRF guard like http-request nodes",
    }),
    timeoutSeconds: env.int('TOOL_TIMEOUT', {
      default: '60',
      min: 1,
      max: 600,
      doc: 'how long one tool call (built-in, custom OpenAPI or MCP) may take, in seconds',
    }),
    fileMaxMb: toolFileMaxMb,
  },
  providers: {
    allowedHosts: env.optionalString('PROVIDER_ALLOWED_HOSTS', {
      doc: 'hosts or CIDRs (comma-separated) that model, embedding, rerank and speech provider base URLs may reach although private (a local model server); workflows cannot reach them',
    }),
  },
  models: {
    captureMessageContent: env.bool('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT', {
      default: 'false',
      doc: "put prompts and completions on model call spans (`gen_ai.input.messages`, `gen_ai.output.messages`), with the run's environment values masked; off by default, since prompts carry end users' data",
    }),
    priceTable: env.json(
      'MODEL_PRICE_TABLE',
      z.record(
        z.string(),
        z.record(
          z.string(),
          z.object({ currency: z.string().min(1), input: z.number().min(0), output: z.number().min(0), unit: z.number().positive() }),
        ),
      ),
      'JSON {provider: {model: {input, output, unit, currency}}}',
      {
        default: '{}',
        doc: 'model prices that override the built-in example list prices, e.g. {"openai": {"gpt-4o": {"input": 2.5, "output": 10, "unit": 0.000001, "currency": "USD"}}}',
      },
    ),
  },
  templates: templatesConfig,
  worker: {
    ackWaitMs: env.int('NODE_JOB_ACK_WAIT_MS', {
      default: '30000',
      min: 1000,
      doc: 'how long a node job may go without a sign of life from its runner before another runner takes it over',
    }),
    concurrency: env.int('WORKER_CONCURRENCY', {
      default: '16',
      min: 1,
      max: 1024,
      doc: 'nodes one node runner executes at the same time; it takes no more jobs than that',
    }),
  },
};

// The rag service reads uploaded documents from the gateway's file storage, so it shares the storage settings.
export const ragConfigSpec = {
  ...common,
  database: databaseConfig,
  http: httpConfig('RAG_PORT', 5004),
  /** The rag service checks the job grants of the node runner's retrievals, whose key derives from SECRET_KEY. */
  security: { secretKey: securityConfig.secretKey },
  storage: storageConfig,
  ingestion: {
    ackWaitMs: env.int('INGEST_ACK_WAIT_MS', {
      default: '30000',
      min: 1000,
      doc: 'how long an ingestion job may go without a sign of life from its rag replica before another replica takes it over',
    }),
    concurrency: env.int('INGEST_CONCURRENCY', {
      default: '2',
      min: 1,
      max: 64,
      doc: 'documents one rag replica indexes at the same time',
    }),
    maxAttempts: env.int('INGEST_MAX_ATTEMPTS', {
      default: '3',
      min: 1,
      max: 20,
      doc: 'deliveries of an ingestion job before its document is marked as failed',
    }),
  },
  providers: {
    allowedHosts: env.optionalString('PROVIDER_ALLOWED_HOSTS', {
      doc: 'hosts or CIDRs (comma-separated) that model, embedding, rerank and speech provider base URLs may reach although private (a local model server); workflows cannot reach them',
    }),
  },
  retrieval: {
    cacheTtlSeconds: env.int('RETRIEVAL_CACHE_TTL_SECONDS', {
      default: '60',
      min: 0,
      doc: 'how long a retrieval result is reused (in-process, then Redis); 0 turns the cache off',
    }),
    datasetIndexMinSegments: env.int('RAG_DATASET_INDEX_MIN_SEGMENTS', {
      default: '2000',
      min: 0,
      doc: 'segments (or child chunks) of one embedding size from which a dataset gets its own HNSW index, built in the background; 0 builds none',
    }),
    datasetIndexMax: env.int('RAG_DATASET_INDEX_MAX', {
      default: '200',
      min: 0,
      doc: 'most datasets with their own HNSW index per table (each index costs the planner a little on every search of the table)',
    }),
    datasetIndexSweepSeconds: env.int('RAG_DATASET_INDEX_SWEEP_SECONDS', {
      default: '900',
      min: 5,
      doc: 'how often a rag replica looks for datasets grown past RAG_DATASET_INDEX_MIN_SEGMENTS without their own index, and for indexes of deleted datasets',
    }),
  },
};

export const complianceConfigSpec = {
  ...common,
  database: databaseConfig,
  http: httpConfig('COMPLIANCE_PORT', 5005),
  // Data exports are sealed with the secret keys (the gateway opens them for the one download) and kept in
  // the file storage the gateway reads, so both share those settings.
  security: securityConfig,
  storage: storageConfig,
  privacy: {
    exportLinkTtlHours: env.int('DATA_EXPORT_LINK_EXPIRE_HOURS', {
      default: '24',
      min: 1,
      max: 720,
      doc: 'how long a finished data export can be downloaded (once) before its link expires and the archive is deleted, in hours',
    }),
    jobLeaseSeconds: env.int('PRIVACY_JOB_LEASE_SECONDS', {
      default: '30',
      min: 2,
      max: 3600,
      doc: 'how long a compliance replica holds an export or erasure it works on without renewing; after a crash another replica (or the restarted one) resumes it this long after the last renewal',
    }),
  },
  audit: {
    retentionDays: env.int('AUDIT_RETENTION_DAYS', {
      default: '365',
      min: 1,
      doc: 'audit records older than this many days are pruned (a checkpoint keeps the rest of the hash chain verifiable)',
    }),
    pruneIntervalMinutes: env.int('AUDIT_PRUNE_INTERVAL_MINUTES', {
      default: '60',
      min: 1,
      doc: 'how often a compliance replica runs audit retention pruning (one replica at a time, under a Postgres advisory lock)',
    }),
  },
};

/** Every service's config spec, for documentation and drift checks. */
export const SERVICE_CONFIG_SPECS = {
  gateway: gatewayConfigSpec,
  orchestrator: orchestratorConfigSpec,
  'node-runner': nodeRunnerConfigSpec,
  rag: ragConfigSpec,
  compliance: complianceConfigSpec,
} as const satisfies Record<ServiceName, ConfigSpec>;
