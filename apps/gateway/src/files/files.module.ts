import { DynamicModule, Module } from '@nestjs/common';
import { createFileStorage, storageSettingsFromConfig } from '@weft/storage';
import { AppsModule } from '../apps/apps.module';
import { AppKeyGuard } from '../service-api/app-key.guard';
import { EndUserService } from '../service-api/end-user.service';
import { fileLinkKey } from './file-link.util';
import { FilePreviewController } from './file-preview.controller';
import { FilePreviewService } from './file-preview.service';
import { FILE_LINK_SETTINGS, FILE_STORAGE, FILE_UPLOAD_SETTINGS, type FileUploadSettings } from './file-upload.config';
import { FileUploadController } from './file-upload.controller';
import { FileUploadService } from './file-upload.service';
import { ToolFilePreviewController } from './tool-file-preview.controller';
import { ToolFilePreviewService } from './tool-file-preview.service';
import { ToolFileHandler } from './tool-file.handler';
import { ToolFileRepository } from './tool-file.repository';
import { UploadFileHandler } from './upload-file.handler';
import { UploadFileInterceptor } from './upload-file.interceptor';
import { UploadFileRepository } from './upload-file.repository';
import { UploadPreviewController } from './upload-preview.controller';
import { UploadPreviewService } from './upload-preview.service';

/**
 * Service API file uploads (`POST /v1/files/upload`) into the configured file storage, their preview with
 * the app key (`GET /v1/files/{file_id}/preview`), their lookup for node runners, the files tools produce
 * (recorded for node runners, served at `/files/tools/{id}.{ext}`), and the signed links
 * (`/files/{id}/file-preview`) the Knowledge API hands out; `secretKey` is SECRET_KEY, which the links'
 * signing key derives from.
 */
@Module({})
export class FilesModule {
  static forRoot(files: FileUploadSettings, secretKey: string): DynamicModule {
    return {
      // Global: the Knowledge API stores documents with the same storage, settings and multipart limits, and signs links.
      exports: [FILE_LINK_SETTINGS, FILE_STORAGE, FILE_UPLOAD_SETTINGS, UploadFileInterceptor],
      global: true,
      module: FilesModule,
      imports: [AppsModule],
      controllers: [FilePreviewController, FileUploadController, ToolFilePreviewController, UploadPreviewController],
      // AppKeyGuard and EndUserService come from the Service API; ServiceApiModule is built by forRoot, and
      // importing it here would register its controllers twice, so this module keeps its own instances.
      providers: [
        AppKeyGuard,
        EndUserService,
        FilePreviewService,
        FileUploadService,
        ToolFileHandler,
        ToolFilePreviewService,
        ToolFileRepository,
        UploadFileHandler,
        UploadFileInterceptor,
        UploadFileRepository,
        UploadPreviewService,
        {
          provide: FILE_LINK_SETTINGS,
          useValue: { baseUrl: files.publicUrl, key: fileLinkKey(secretKey), ttlSeconds: files.linkTtlSeconds },
        },
        { provide: FILE_STORAGE, useValue: createFileStorage(storageSettingsFromConfig(files.storage)) },
        { provide: FILE_UPLOAD_SETTINGS, useValue: files },
      ],
    };
  }
}
