import { z } from 'zod';
import { ServiceName } from '@weft/contracts';
import { ConfigSpec, env } from './config-var';
import { databaseConfig, httpConfig, loggingConfig, natsConfig, redisConfig, runtimeConfig, securityConfig, storageConfig } from './fragments.config';

const common = {
  logging: loggingConfig,
  nats: natsConfig,
  redis: redisConfig,
  runtime: runtimeConfig,
};

export const gatewayConfigSpec = {
  ...common,
  database: databaseConfig,
  http: httpConfig('GATEWAY_PORT', 5001),
  security: securityConfig,
  auth: {
    accessTokenTtlSeconds: env.int('ACCESS_TOKEN_EXPIRE_MINUTES', { default: '15', min: 1, doc: 'lifetime of console access tokens, in minutes' }),
  },
  files: {
    maxBytes: env.int('UPLOAD_FILE_SIZE_LIMIT', { default: '15', min: 1, doc: 'largest file POST /v1/files/upload accepts, in MB' }),
    storage: storageConfig,
  },
  systemStatus: {
    timeoutMs: env.int('SYSTEM_STATUS_TIMEOUT_MS', { default: '1500', min: 50, doc: 'how long /v1/system/status waits for each service' }),
    token: env.optionalString('SYSTEM_STATUS_TOKEN', {
      secret: true,
      doc: 'when set, /v1/system/status requires "Authorization: Bearer <token>"; unset means open (development)',
    }),
  },
};

export const orchestratorConfigSpec = {
  ...common,
  database: databaseConfig,
  http: httpConfig('ORCHESTRATOR_PORT', 5002),
  security: securityConfig,
  workflow: {
    leaseTtlMs: env.int('RUN_LEASE_TTL_MS', {
      default: '15000',
      min: 1000,
      doc: 'how long a run stays owned by an orchestrator that stopped renewing it before another one resumes it',
    }),
    maxSteps: env.int('WORKFLOW_MAX_EXECUTION_STEPS', { default: '500', min: 1, doc: 'node executions a run may start (Dify default)' }),
    maxTimeSeconds: env.int('WORKFLOW_MAX_EXECUTION_TIME', { default: '1200', min: 1, doc: 'seconds a run may take, checked as nodes finish (Dify default)' }),
  },
};

// The node runner keeps nothing durable, so it has no database settings; it reads uploaded files from the
// gateway's file storage, so it shares the storage settings.
export const nodeRunnerConfigSpec = {
  ...common,
  http: httpConfig('NODE_RUNNER_PORT', 5003),
  storage: storageConfig,
  code: {
    maxOutputBytes: env.int('CODE_MAX_OUTPUT_BYTES', { default: '1048576', min: 1024, doc: 'size of the result a code node may return' }),
    memoryMb: env.int('CODE_MAX_MEMORY_MB', { default: '64', min: 8, max: 4096, doc: 'memory a code node may use' }),
    pythonWorkers: env.int('CODE_PYTHON_WORKERS', { default: '1', min: 1, max: 32, doc: 'warm Python sandboxes kept per node runner' }),
    timeoutMs: env.int('CODE_EXECUTION_TIMEOUT_MS', { default: '5000', min: 50, doc: 'CPU time a code node may take' }),
  },
  httpRequest: {
    maxResponseBytes: env.int('HTTP_REQUEST_MAX_RESPONSE_BYTES', { default: '10485760', min: 1024, doc: 'largest response body an http-request node or provider call accepts' }),
    maxTimeoutSeconds: env.int('HTTP_REQUEST_MAX_TIMEOUT', { default: '60', min: 1, doc: 'upper bound of an http-request node timeout, in seconds' }),
    ssrfAllowedHosts: env.optionalString('SSRF_ALLOWED_HOSTS', {
      doc: 'hosts or CIDRs (comma-separated) that http-request nodes and provider base URLs may reach although private, loopback or link-local',
    }),
  },
  models: {
    priceTable: env.json(
      'MODEL_PRICE_TABLE',
      z.record(z.string(), z.record(z.string(), z.object({ currency: z.string().min(1), input: z.number().min(0), output: z.number().min(0), unit: z.number().positive() }))),
      'JSON {provider: {model: {input, output, unit, currency}}}',
      {
        default: '{}',
        doc: 'model prices that override the built-in example list prices, e.g. {"openai": {"gpt-4o": {"input": 2.5, "output": 10, "unit": 0.000001, "currency": "USD"}}}',
      },
    ),
  },
  worker: {
    ackWaitMs: env.int('NODE_JOB_ACK_WAIT_MS', {
      default: '30000',
      min: 1000,
      doc: 'how long a node job may go without a sign of life from its runner before another runner takes it over',
    }),
    concurrency: env.int('WORKER_CONCURRENCY', { default: '16', min: 1, max: 1024, doc: 'nodes one node runner executes at the same time; it takes no more jobs than that' }),
  },
};

// The rag service reads uploaded documents from the gateway's file storage, so it shares the storage settings.
export const ragConfigSpec = {
  ...common,
  database: databaseConfig,
  http: httpConfig('RAG_PORT', 5004),
  storage: storageConfig,
  ingestion: {
    ackWaitMs: env.int('INGEST_ACK_WAIT_MS', {
      default: '30000',
      min: 1000,
      doc: 'how long an ingestion job may go without a sign of life from its rag replica before another replica takes it over',
    }),
    concurrency: env.int('INGEST_CONCURRENCY', { default: '2', min: 1, max: 64, doc: 'documents one rag replica indexes at the same time' }),
    maxAttempts: env.int('INGEST_MAX_ATTEMPTS', { default: '3', min: 1, max: 20, doc: 'deliveries of an ingestion job before its document is marked as failed' }),
  },
  providers: {
    ssrfAllowedHosts: env.optionalString('SSRF_ALLOWED_HOSTS', {
      doc: 'hosts or CIDRs (comma-separated) that http-request nodes and provider base URLs may reach although private, loopback or link-local',
    }),
  },
  retrieval: {
    cacheTtlSeconds: env.int('RETRIEVAL_CACHE_TTL_SECONDS', { default: '60', min: 0, doc: 'how long a retrieval result is reused (in-process, then Redis); 0 turns the cache off' }),
  },
};

export const complianceConfigSpec = { ...common, database: databaseConfig, http: httpConfig('COMPLIANCE_PORT', 5005) };

/** Every service's config spec, for documentation and drift checks. */
export const SERVICE_CONFIG_SPECS = {
  gateway: gatewayConfigSpec,
  orchestrator: orchestratorConfigSpec,
  'node-runner': nodeRunnerConfigSpec,
  rag: ragConfigSpec,
  compliance: complianceConfigSpec,
} as const satisfies Record<ServiceName, ConfigSpec>;
