import { DynamicModule, Module } from '@nestjs/common';
import { DatabaseService } from './database.service';
import { PERSISTENCE_OPTIONS, PersistenceOptions } from './persistence.types';

/** Postgres for one service, in its own schema; repositories reach it through `DatabaseService`. */
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceOptions): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      providers: [{ provide: PERSISTENCE_OPTIONS, useValue: options }, DatabaseService],
      exports: [DatabaseService],
    };
  }
}
