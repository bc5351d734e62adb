import type { databaseConfig, ConfigOf } from '@weft/config';
import type { EntitySchema, MixedList } from 'typeorm';

export type DatabaseConfig = ConfigOf<typeof databaseConfig>;

/** What a service declares about its own data: its schema, entities and migrations. */
export interface PersistenceDefinition {
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
}

export interface PersistenceOptions {
  definition: PersistenceDefinition;
  database: DatabaseConfig;
  applicationName: string;
  /** Run pending migrations when the connection opens (the default); off where a job migrates first. */
  migrateOnStart: boolean;
}

export const PERSISTENCE_OPTIONS = Symbol('PERSISTENCE_OPTIONS');
