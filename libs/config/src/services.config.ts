import { ServiceName } from '@weft/contracts';
import { ConfigSpec, env } from './config-var';
import { databaseConfig, httpConfig, loggingConfig, natsConfig, redisConfig, runtimeConfig } from './fragments.config';

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
  systemStatus: {
    timeoutMs: env.int('SYSTEM_STATUS_TIMEOUT_MS', { default: '1500', min: 50, doc: 'how long /v1/system/status waits for each service' }),
    token: env.optionalString('SYSTEM_STATUS_TOKEN', {
      secret: true,
      doc: 'when set, /v1/system/status requires "Authorization: Bearer <token>"; unset means open (development)',
    }),
  },
};

export const orchestratorConfigSpec = { ...common, database: databaseConfig, http: httpConfig('ORCHESTRATOR_PORT', 5002) };

// The node runner keeps nothing durable, so it has no database settings.
export const nodeRunnerConfigSpec = { ...common, http: httpConfig('NODE_RUNNER_PORT', 5003) };

export const ragConfigSpec = { ...common, database: databaseConfig, http: httpConfig('RAG_PORT', 5004) };

export const complianceConfigSpec = { ...common, database: databaseConfig, http: httpConfig('COMPLIANCE_PORT', 5005) };

/** Every service's config spec, for documentation and drift checks. */
export const SERVICE_CONFIG_SPECS = {
  gateway: gatewayConfigSpec,
  orchestrator: orchestratorConfigSpec,
  'node-runner': nodeRunnerConfigSpec,
  rag: ragConfigSpec,
  compliance: complianceConfigSpec,
} as const satisfies Record<ServiceName, ConfigSpec>;
