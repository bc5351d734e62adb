import { DynamicModule, MiddlewareConsumer, Module, NestModule, Provider } from '@nestjs/common';
import { AuditModule } from '@weft/audit';
import { ConfigOf, databaseConfig, loggingConfig, natsConfig, redisConfig, runtimeConfig } from '@weft/config';
import { HealthModule, READINESS_CHECKS, ReadinessCheck } from '@weft/health';
import { LoggingModule } from '@weft/logging';
import { MessageBus, MessagingModule, natsAuthOptions } from '@weft/messaging';
import { MetricsModule } from '@weft/metrics';
import { DatabaseService, PersistenceDefinition, PersistenceModule, RedisModule, RedisService } from '@weft/persistence';
import { RequestContextMiddleware } from './request-context.middleware';
import { SERVICE_IDENTITY, ServiceIdentity } from './service-identity';
import { ServiceNotices } from './service-notices';
import { SystemStatusHandler } from './system-status.handler';
import { JobGrants } from '@weft/security';

function grantVerifier(secretKey: string): (grant: string | undefined) => ReturnType<JobGrants['verify']> {
  const grants = new JobGrants(secretKey);
  return (grant) => grants.verify(grant);
}

/** The config every service has; `database` only where the service owns a schema. */
export interface PlatformConfig {
  logging: ConfigOf<typeof loggingConfig>;
  nats: ConfigOf<typeof natsConfig>;
  redis: ConfigOf<typeof redisConfig>;
  runtime: ConfigOf<typeof runtimeConfig>;
  database?: ConfigOf<typeof databaseConfig>;
  /** Services with SECRET_KEY check the job grants of grant-bound callers (the node runner). */
  security?: { secretKey: string };
}

export interface PlatformOptions {
  identity: ServiceIdentity;
  config: PlatformConfig;
  persistence?: PersistenceDefinition;
}

function readinessChecks(withDatabase: boolean): Provider & { provide: typeof READINESS_CHECKS } {
  const inject: unknown[] = [MessageBus, RedisService, ...(withDatabase ? [DatabaseService] : [])];
  return {
    provide: READINESS_CHECKS,
    inject: inject as never,
    useFactory: (bus: MessageBus, redis: RedisService, db?: DatabaseService): ReadinessCheck[] => [
      { name: 'nats', check: async () => ({ up: bus.isConnected() }) },
      // Without Redis, rate limits and the login throttle fail open and caches are skipped: the service does less, not nothing.
      { name: 'redis', check: async () => ({ up: await redis.ping() }), degradesOnly: true },
      ...(db
        ? [
            { name: 'postgres', check: async () => ({ up: await db.ping() }) },
            { name: 'migrations', check: async () => ({ up: await db.migrationsApplied(), details: { schema: db.schema } }) },
          ]
        : []),
    ],
  };
}

/**
 * What every service shares: JSON logs with correlation ids, Prometheus metrics, health and readiness,
 * the typed NATS bus, audit recording, Redis, and Postgres in the service's own schema.
 */
@Module({})
export class PlatformModule implements NestModule {
  static forRoot({ identity, config, persistence }: PlatformOptions): DynamicModule {
    if (persistence && !config.database) throw new Error(`${identity.service} declares a schema but has no database config`);
    const appName = `weft-${identity.service}`;
    return {
      module: PlatformModule,
      global: true,
      imports: [
        LoggingModule.forRoot({
          service: identity.service,
          instanceId: identity.instanceId,
          level: config.logging.level,
          pretty: config.logging.pretty,
        }),
        MetricsModule,
        MessagingModule.forRoot({
          service: identity.service,
          instanceId: identity.instanceId,
          servers: config.nats.servers,
          subjectPrefix: config.nats.subjectPrefix,
          requestTimeoutMs: config.nats.requestTimeoutMs,
          streamReplicas: config.nats.streamReplicas,
          ...natsAuthOptions(config.nats, identity.service),
          ...(config.security ? { verifyGrant: grantVerifier(config.security.secretKey) } : {}),
        }),
        RedisModule.forRoot({
          url: config.redis.url,
          keyPrefix: config.redis.keyPrefix,
          connectionName: appName,
          sentinels: config.redis.sentinels,
          sentinelMaster: config.redis.sentinelMaster,
        }),
        ...(persistence && config.database
          ? [
              PersistenceModule.forRoot({
                definition: persistence,
                database: config.database,
                applicationName: appName,
                migrateOnStart: true,
              }),
            ]
          : []),
        HealthModule.forRoot(
          { diskPath: config.runtime.diskPath, diskThreshold: config.runtime.diskThreshold, memoryRssMb: config.runtime.memoryRssMb },
          readinessChecks(persistence !== undefined),
        ),
        AuditModule.forRoot(identity.service),
      ],
      providers: [{ provide: SERVICE_IDENTITY, useValue: identity }, ServiceNotices, SystemStatusHandler],
      exports: [SERVICE_IDENTITY, ServiceNotices],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestContextMiddleware).forRoutes('*path');
  }
}
