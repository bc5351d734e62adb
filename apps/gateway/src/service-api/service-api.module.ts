import { DynamicModule, Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { UploadFileRepository } from '../files/upload-file.repository';
import { AppInfoController } from './app-info.controller';
import { AppInfoService, UPLOAD_LIMITS, type UploadLimits } from './app-info.service';
import { ApiKeyCache } from './api-key-cache.service';
import { ConsoleRunController } from './console-run.controller';
import { ConsoleRunService } from './console-run.service';
import { AppKeyGuard } from './app-key.guard';
import { EndUserController } from './end-user.controller';
import { EndUserService } from './end-user.service';
import { RUN_DISPATCH_SETTINGS, RunDispatchService, type RunDispatchSettings } from './run-dispatch.service';
import { RunFilesService } from './run-files.service';
import { WorkflowRunController } from './workflow-run.controller';
import { WorkflowRunService } from './workflow-run.service';

/** Dify's Service API for apps (`/v1/*` with an app key). */
@Module({})
export class ServiceApiModule {
  static forRoot(limits: UploadLimits, dispatch: RunDispatchSettings): DynamicModule {
    return {
      // Global: the conversations feature authenticates with the same guard and resolves the same end users and files.
      global: true,
      module: ServiceApiModule,
      imports: [AppsModule],
      controllers: [AppInfoController, ConsoleRunController, EndUserController, WorkflowRunController],
      providers: [
        ApiKeyCache,
        AppInfoService,
        AppKeyGuard,
        ConsoleRunService,
        EndUserService,
        RunDispatchService,
        RunFilesService,
        UploadFileRepository,
        WorkflowRunService,
        { provide: RUN_DISPATCH_SETTINGS, useValue: dispatch },
        { provide: UPLOAD_LIMITS, useValue: limits },
      ],
      exports: [ApiKeyCache, AppKeyGuard, EndUserService, RunDispatchService, RunFilesService],
    };
  }
}
