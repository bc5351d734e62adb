import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DomainError } from '@weft/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { buildDataSourceOptions, runMigrationsLocked } from './data-source.util';
import { PERSISTENCE_OPTIONS, PersistenceOptions } from './persistence.types';

/**
 * The service's connection to Postgres. It connects (and migrates) in the background with backoff, so
 * the service starts and reports not-ready while Postgres is down, and becomes ready when it returns.
 */
@Injectable()
export class DatabaseService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseService.name);
  private readonly source: DataSource;
  private migrated = false;
  private closing = false;
  private ready?: Promise<void>;

  constructor(@Inject(PERSISTENCE_OPTIONS) private readonly options: PersistenceOptions) {
    this.source = new DataSource(buildDataSourceOptions(options.definition, options.database, options.applicationName));
  }

  onModuleInit(): void {
    this.ready = this.connectWithRetry();
  }

  /** Resolves once connected and migrated. */
  whenReady(): Promise<void> {
    return this.ready ?? Promise.reject(new Error('DatabaseService was not initialised'));
  }

  /**
   * Runs SQL and returns its rows. TypeORM answers UPDATE and DELETE with `[rows, count]` but other
   * statements with the rows alone; this always gives the rows, so `UPDATE … RETURNING` reads like a SELECT.
   */
  async rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.rowsIn<T>(this.dataSource.manager, sql, params);
  }

  /** `rows`, run by a transaction's entity manager. */
  async rowsIn<T = Record<string, unknown>>(manager: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
    const result: unknown = await manager.query(sql, params);
    if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
    return result as T[];
  }

  /** Whether the database is connected and migrated, so `dataSource` may be used. */
  isAvailable(): boolean {
    return this.source.isInitialized && this.migrated === true;
  }

  /** The TypeORM data source; fails with `unavailable` until the database is connected and migrated. */
  get dataSource(): DataSource {
    if (!this.source.isInitialized || !this.migrated) throw new DomainError('unavailable', 'The database is not available yet');
    return this.source;
  }

  /**
   * Runs read-only work on a read replica when DATABASE_READ_URLS names any (each call takes the next
   * replica in turn), otherwise on the primary. Only for reads that may lag behind the latest writes.
   */
  async withReplica<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner(this.options.database.readUrls.length > 0 ? 'slave' : 'master');
    try {
      return await work(runner.manager);
    } finally {
      await runner.release();
    }
  }

  get schema(): string {
    return this.options.definition.schema;
  }

  /** Whether Postgres answers a trivial query right now. */
  async ping(timeoutMs = 2000): Promise<boolean> {
    if (!this.source.isInitialized) return false;
    try {
      await Promise.race([
        this.source.query('SELECT 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
      ]);
      return true;
    } catch {
      return false;
    }
  }

  /** Whether every migration of this service has been applied. */
  async migrationsApplied(): Promise<boolean> {
    if (this.migrated) return true;
    if (!this.source.isInitialized) return false;
    try {
      this.migrated = !(await this.source.showMigrations());
    } catch {
      return false;
    }
    return this.migrated;
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    // A connection attempt still in flight would open the pool after this returns and leave it open:
    // let it settle (it stops retrying once closing), then close whatever it opened.
    await Promise.race([this.ready?.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    if (this.source.isInitialized) await this.source.destroy();
  }

  private async connectWithRetry(): Promise<void> {
    let delay = 250;
    while (!this.closing) {
      try {
        if (!this.source.isInitialized) await this.source.initialize();
        if (this.options.migrateOnStart) {
          const applied = await runMigrationsLocked(this.source, this.schema);
          if (applied.length > 0) this.logger.log(`Applied migrations to schema "${this.schema}": ${applied.join(', ')}`);
          this.migrated = true;
        } else if (!(await this.migrationsApplied())) {
          throw new Error(`migrations of schema "${this.schema}" are not applied yet`);
        }
        this.logger.log(`Database ready (schema "${this.schema}")`);
        return;
      } catch (error) {
        if (this.closing) return;
        this.logger.warn(`Waiting for the database: ${(error as Error).message}; retrying in ${delay} ms`);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
  }
}
