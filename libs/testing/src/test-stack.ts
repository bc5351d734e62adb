import { infraUrls, uniqueSuffix } from './infra';
import { SERVICE_NAMES, ServiceName } from '@weft/contracts';
import { freePort, ServiceProcess } from './service-process';
import { createTestDatabase, TestDatabase } from './test-database';

export const ALL_SERVICES: ServiceName[] = [...SERVICE_NAMES];

export interface TestStackOptions {
  services?: ServiceName[];
  env?: Record<string, string>;
}

/**
 * The five services as separate processes on free ports, with their own database (from the migrated
 * template), their own NATS subject prefix and Redis key prefix: several stacks can share one machine.
 */
export class TestStack {
  /** Extra replicas added with `replica()`, stopped with the stack. */
  private readonly replicas: ServiceProcess[] = [];

  private constructor(
    readonly database: TestDatabase,
    readonly natsPrefix: string,
    readonly processes: Record<ServiceName, ServiceProcess>,
    private readonly env: Record<string, string>,
  ) {}

  static async create(opts: TestStackOptions = {}): Promise<TestStack> {
    const urls = infraUrls();
    const database = await createTestDatabase();
    const suffix = uniqueSuffix();
    const natsPrefix = `t${suffix}`;
    const env: Record<string, string> = {
      DATABASE_URL: database.url,
      REDIS_URL: urls.redisUrl,
      NATS_URL: urls.natsUrl,
      NATS_SUBJECT_PREFIX: natsPrefix,
      ...(urls.natsCredentialsDir ? { NATS_CREDENTIALS_DIR: urls.natsCredentialsDir } : {}),
      REDIS_KEY_PREFIX: `weft-test:${suffix}:`,
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: '5000',
      // Tests make many requests from 127.0.0.1 with few keys: only the protection spec uses low limits.
      RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
      RATE_LIMIT_PER_MINUTE: '1000000',
      CONSOLE_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: '1000000',
      CONSOLE_RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
      CONSOLE_SENSITIVE_RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
      ...opts.env,
    };
    const processes = {} as Record<ServiceName, ServiceProcess>;
    for (const name of ALL_SERVICES) processes[name] = new ServiceProcess(name, await freePort(), env);
    return new TestStack(database, natsPrefix, processes, env);
  }

  /** Every process of a service: the stack's own and the replicas added since. */
  replicasOf(name: ServiceName): ServiceProcess[] {
    return [this.processes[name], ...this.replicas.filter((p) => p.name === name)];
  }

  /** Another replica of a service, sharing the stack's database, NATS prefix and settings; not started yet. */
  async replica(name: ServiceName, extraEnv: Record<string, string> = {}): Promise<ServiceProcess> {
    const process = new ServiceProcess(name, await freePort(), { ...this.env, ...extraEnv });
    this.replicas.push(process);
    return process;
  }

  get gateway(): ServiceProcess {
    return this.processes.gateway;
  }

  /** Starts the named services (all by default) and waits until each answers /ready. */
  async start(services: ServiceName[] = ALL_SERVICES): Promise<void> {
    for (const name of services) this.processes[name].start();
    await Promise.all(services.map((name) => this.processes[name].waitReady()));
  }

  /** Stops every running service, then drops the stack's database. */
  async destroy(): Promise<void> {
    await Promise.all([...Object.values(this.processes), ...this.replicas].map((p) => p.stop('SIGTERM').catch(() => p.stop('SIGKILL'))));
    await this.database.drop();
  }
}
