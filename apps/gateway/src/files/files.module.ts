import { resolve } from 'node:path';
import { DynamicModule, Module } from '@nestjs/common';
import { createFileStorage, type StorageSettings } from '@weft/storage';
import { AppsModule } from '../apps/apps.module';
import { AppKeyGuard } from '../service-api/app-key.guard';
import { EndUserService } from '../service-api/end-user.service';
import { FILE_STORAGE, FILE_UPLOAD_SETTINGS, type FileUploadSettings } from './file-upload.config';
import { FileUploadController } from './file-upload.controller';
import { FileUploadService } from './file-upload.service';
import { UploadFileInterceptor } from './upload-file.interceptor';
import { UploadFileRepository } from './upload-file.repository';

/** Where the files config says uploads go; an S3 store without keys is refused at start, not at the first upload. */
export function storageSettings(files: FileUploadSettings): StorageSettings {
  if (files.storage === 'local') return { driver: 'local', rootDir: resolve(files.storageLocalPath) };
  if (!files.s3AccessKey || !files.s3SecretKey) throw new Error('STORAGE_TYPE=s3 needs S3_ACCESS_KEY and S3_SECRET_KEY');
  return {
    accessKeyId: files.s3AccessKey,
    bucket: files.s3Bucket,
    driver: 's3',
    endpoint: files.s3Endpoint,
    // S3-compatible stores (MinIO, Ceph, s3rver) need path-style URLs; AWS itself prefers bucket subdomains.
    forcePathStyle: files.s3Endpoint !== undefined,
    region: files.s3Region,
    secretAccessKey: files.s3SecretKey,
  };
}

/** Service API file uploads (`POST /v1/files/upload`) into the configured file storage. */
@Module({})
export class FilesModule {
  static forRoot(files: FileUploadSettings): DynamicModule {
    return {
      module: FilesModule,
      imports: [AppsModule],
      controllers: [FileUploadController],
      // AppKeyGuard and EndUserService come from the Service API; ServiceApiModule is built by forRoot, and
      // importing it here would register its controllers twice, so this module keeps its own instances.
      providers: [
        AppKeyGuard,
        EndUserService,
        FileUploadService,
        UploadFileInterceptor,
        UploadFileRepository,
        { provide: FILE_STORAGE, useValue: createFileStorage(storageSettings(files)) },
        { provide: FILE_UPLOAD_SETTINGS, useValue: files },
      ],
    };
  }
}
