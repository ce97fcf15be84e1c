import { Client } from 'minio';
import { z } from 'zod';
import { configFields } from '../config.ts';

/** S3 variables; any S3 API works (MinIO, AWS, s3rver in tests and the embedded start). */
export const objectStoreConfigShape = {
  S3_ENDPOINT: configFields.url,
  S3_ACCESS_KEY: z.string().min(1),
  S3_SECRET_KEY: z.string().min(1),
  S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name'),
  S3_REGION: z.string().default('us-east-1'),
};
const storeSchema = z.object(objectStoreConfigShape);
export type ObjectStoreConfig = z.infer<typeof storeSchema>;

export interface ObjectStore {
  readonly client: Client;
  readonly bucket: string;
  /** Creates the bucket when missing (idempotent, safe under concurrent callers). */
  ensureBucket(): Promise<void>;
}

export function createObjectStore(config: ObjectStoreConfig): ObjectStore {
  const url = new URL(config.S3_ENDPOINT);
  const useSSL = url.protocol === 'https:';
  const client = new Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: config.S3_ACCESS_KEY,
    secretKey: config.S3_SECRET_KEY,
    region: config.S3_REGION,
    pathStyle: true,
  });
  return {
    client,
    bucket: config.S3_BUCKET,
    async ensureBucket() {
      if (await client.bucketExists(config.S3_BUCKET)) return;
      try {
        await client.makeBucket(config.S3_BUCKET, config.S3_REGION);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw error;
      }
    },
  };
}
