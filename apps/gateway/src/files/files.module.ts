import { resolve } from 'node:path';
import { DynamicModule, Module } from '@nestjs/common';
import { createFileStorage, type StorageSettings } from '@weft/storage';
import { AppsModule } from '../apps/apps.module';
import { AppKeyGuard } from '../service-api/app-key.guard';
import { EndUserService } from '../service-api/end-user.service';
import { FILE_STORAGE, FILE_UPLOAD_SETTINGS, type FileUploadSettings } from './file-upload.config';
import { FileUploadController } from './file-upload.controller';
import { FileUploadService } from './file-upload.service';
import { UploadFileHandler } from './upload-file.handler';
import { UploadFileInterceptor } from './upload-file.interceptor';
import { UploadFileRepository } from './upload-file.repository';

/** Where the storage config says uploads go; an S3 store without keys is refused at start, not at the first upload. */
export function storageSettings(storage: FileUploadSettings['storage']): StorageSettings {
  if (storage.type === 'local') return { driver: 'local', rootDir: resolve(storage.localPath) };
  if (!storage.s3AccessKey || !storage.s3SecretKey) throw new Error('STORAGE_TYPE=s3 needs S3_ACCESS_KEY and S3_SECRET_KEY');
  return {
    accessKeyId: storage.s3AccessKey,
    bucket: storage.s3Bucket,
    driver: 's3',
    endpoint: storage.s3Endpoint,
    // S3-compatible stores (MinIO, Ceph, s3rver) need path-style URLs; AWS itself prefers bucket subdomains.
    forcePathStyle: storage.s3Endpoint !== undefined,
    region: storage.s3Region,
    secretAccessKey: storage.s3SecretKey,
  };
}

/** Service API file uploads (`POST /v1/files/upload`) into the configured file storage, and their lookup for node runners. */
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
        UploadFileHandler,
        UploadFileInterceptor,
        UploadFileRepository,
        { provide: FILE_STORAGE, useValue: createFileStorage(storageSettings(files.storage)) },
        { provide: FILE_UPLOAD_SETTINGS, useValue: files },
      ],
    };
  }
}
