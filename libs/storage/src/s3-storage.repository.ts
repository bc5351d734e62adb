import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { FileNotFoundError } from './file-storage.exception';
import { FileStorage, S3StorageSettings } from './file-storage.types';
import { assertValidStorageKey } from './storage-key.util';

/** Keeps each file as the object <key> in one bucket of S3 or an S3-compatible store. */
export class S3Storage implements FileStorage {
  private readonly bucket: string;
  private readonly client: S3Client;

  constructor(settings: Omit<S3StorageSettings, 'driver'>) {
    this.bucket = settings.bucket;
    this.client = new S3Client({
      credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      region: settings.region,
      // Since 3.729 the SDK adds CRC32 checksums to every request by default; many S3-compatible stores
      // reject or mishandle them, so checksums are sent and checked only where an operation requires them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(key: string, data: Buffer, contentType?: string): Promise<void> {
    assertValidStorageKey(key);
    await this.client.send(new PutObjectCommand({ Body: data, Bucket: this.bucket, ContentType: contentType, Key: key }));
  }

  async get(key: string): Promise<Buffer> {
    assertValidStorageKey(key);
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!response.Body) throw new FileNotFoundError(key);
      return Buffer.from(await response.Body.transformToByteArray());
    } catch (error) {
      if (isNotFound(error)) throw new FileNotFoundError(key, { cause: error });
      throw error;
    }
  }

  async stream(key: string): Promise<Readable> {
    assertValidStorageKey(key);
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      // In Node the SDK's body is an http.IncomingMessage (a Readable).
      if (!(response.Body instanceof Readable)) throw new FileNotFoundError(key);
      return response.Body;
    } catch (error) {
      if (isNotFound(error)) throw new FileNotFoundError(key, { cause: error });
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    assertValidStorageKey(key);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidStorageKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** Closes the client's pooled connections; call once when the owner shuts down. */
  destroy(): void {
    this.client.destroy();
  }
}

// A missing key is NoSuchKey on GET but a bare 404 (NotFound) on HEAD, which has no body to name the error.
function isNotFound(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata.httpStatusCode === 404)
  );
}
