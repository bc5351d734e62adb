// s3rver ships no type declarations; this covers the part the S3Storage spec uses.
declare module 's3rver' {
  import { AddressInfo } from 'node:net';

  interface S3rverOptions {
    address?: string;
    configureBuckets?: { name: string }[];
    directory: string;
    port?: number;
    silent?: boolean;
  }

  class S3rver {
    constructor(options: S3rverOptions);
    close(): Promise<void>;
    run(): Promise<AddressInfo>;
  }

  export = S3rver;
}
