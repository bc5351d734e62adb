import type { PersistenceDefinition } from '@weft/persistence';

/** The orchestrator service's data lives in the "orchestrator" schema; tables arrive with the features that own them. */
export const orchestratorDatabase: PersistenceDefinition = {
  schema: 'orchestrator',
  entities: [],
  migrations: [],
};
