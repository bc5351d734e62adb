import type { PersistenceDefinition } from '@weft/persistence';

/** The rag service's data lives in the "rag" schema; tables arrive with the features that own them. */
export const ragDatabase: PersistenceDefinition = {
  schema: 'rag',
  entities: [],
  migrations: [],
};
