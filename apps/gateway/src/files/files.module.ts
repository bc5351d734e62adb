import { DynamicModule, Module } from '@nestjs/common';
import { createFileStorage, storageSettingsFromConfig } from '@weft/storage';
import { AppsModule } from '../apps/apps.module';
import { AppKeyGuard } from '../service-api/app-key.guard';
import { EndUserService } from '../service-api/end-user.service';
import { FILE_STORAGE, FILE_UPLOAD_SETTINGS, type FileUploadSettings } from './file-upload.config';
import { UploadPreviewController } from './upload-preview.controller';
import { UploadPreviewService } from './upload-preview.service';
import { FileUploadController } from './file-upload.controller';
import { FileUploadService } from './file-upload.service';
import { UploadFileHandler } from './upload-file.handler';
import { UploadFileInterceptor } from './upload-file.interceptor';
import { UploadFileRepository } from './upload-file.repository';

/**
 * Service API file uploads (`POST /v1/files/upload`) into the configured file storage, their preview
 * (`GET /v1/files/{file_id}/preview`), and their lookup for node runners.
 */
@Module({})
export class FilesModule {
  static forRoot(files: FileUploadSettings): DynamicModule {
    return {
      // Global: the Knowledge API stores documents with the same storage, settings and multipart limits.
      exports: [FILE_STORAGE, FILE_UPLOAD_SETTINGS, UploadFileInterceptor],
      global: true,
      module: FilesModule,
      imports: [AppsModule],
      controllers: [UploadPreviewController, FileUploadController],
      // AppKeyGuard and EndUserService come from the Service API; ServiceApiModule is built by forRoot, and
      // importing it here would register its controllers twice, so this module keeps its own instances.
      providers: [
        AppKeyGuard,
        EndUserService,
        UploadPreviewService,
        FileUploadService,
        UploadFileHandler,
        UploadFileInterceptor,
        UploadFileRepository,
        { provide: FILE_STORAGE, useValue: createFileStorage(storageSettingsFromConfig(files.storage)) },
        { provide: FILE_UPLOAD_SETTINGS, useValue: files },
      ],
    };
  }
}
