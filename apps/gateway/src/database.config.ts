import type { PersistenceDefinition } from '@weft/persistence';

/** The gateway's data lives in the "gateway" schema; tables arrive with the features that own them. */
export const gatewayDatabase: PersistenceDefinition = {
  schema: 'gateway',
  entities: [],
  migrations: [],
};
