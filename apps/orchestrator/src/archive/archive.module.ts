import { DynamicModule, Module } from '@nestjs/common';
import { makeCounterProvider, makeGaugeProvider } from '@weft/metrics';
import { DataRetentionService } from './data-retention.service';
import { RetentionHandler } from './retention.handler';
import { RetentionPolicyRepository } from './retention-policy.repository';
import { RetentionPolicyService } from './retention-policy.service';
import { RetentionScheduler } from './retention-scheduler.service';
import { RunArchiveRepository } from './run-archive.repository';
import { RunArchiveService } from './run-archive.service';
import { RETENTION_SETTINGS, type RetentionSettings } from './retention.types';

/** Archiving old runs, deleting expired ones, and the per-workspace retention settings and legal holds. */
@Module({})
export class ArchiveModule {
  static forRoot(settings: RetentionSettings): DynamicModule {
    return {
      module: ArchiveModule,
      providers: [
        DataRetentionService,
        RetentionHandler,
        RetentionPolicyRepository,
        RetentionPolicyService,
        RetentionScheduler,
        RunArchiveRepository,
        RunArchiveService,
        { provide: RETENTION_SETTINGS, useValue: settings },
        makeCounterProvider({
          name: 'weft_retention_rows_archived_total',
          help: 'Rows moved from the live run tables to the archive tables',
          labelNames: ['table'],
        }),
        makeCounterProvider({
          name: 'weft_retention_rows_deleted_total',
          help: 'Rows deleted by retention, by table',
          labelNames: ['table'],
        }),
        makeGaugeProvider({
          name: 'weft_retention_job_last_success_timestamp_seconds',
          help: 'When each retention job last finished successfully (Unix seconds)',
          labelNames: ['job'],
        }),
      ],
      exports: [DataRetentionService, RetentionPolicyService, RunArchiveService],
    };
  }
}
