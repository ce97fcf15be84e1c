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
  /**
   * Where clients (browsers, phones) reach the same S3 API, when not at S3_ENDPOINT (e.g. S3_ENDPOINT is an in-cluster
   * or loopback address): presigned URLs handed to clients are signed for this origin. Default: S3_ENDPOINT.
   */
  S3_PUBLIC_ENDPOINT: configFields.url.optional(),
};
const storeSchema = z.object(objectStoreConfigShape);
export type ObjectStoreConfig = z.infer<typeof storeSchema>;

export interface ObjectStore {
  /** For the service's own reads and writes (S3_ENDPOINT). */
  readonly client: Client;
  /**
   * Signs URLs handed to clients (S3_PUBLIC_ENDPOINT, else S3_ENDPOINT). SigV4 signs the host, so a URL must be signed
   * for the origin the client will send it to. Signing is local: the region is configured, so no request is made.
   */
  readonly publicClient: Client;
  readonly bucket: string;
  /** Creates the bucket when missing (idempotent, safe under concurrent callers). */
  ensureBucket(): Promise<void>;
}

function clientFor(endpoint: string, config: ObjectStoreConfig): Client {
  const url = new URL(endpoint);
  const useSSL = url.protocol === 'https:';
  return new Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: config.S3_ACCESS_KEY,
    secretKey: config.S3_SECRET_KEY,
    region: config.S3_REGION,
    pathStyle: true,
  });
}

export function createObjectStore(config: ObjectStoreConfig): ObjectStore {
  const client = clientFor(config.S3_ENDPOINT, config);
  const publicEndpoint = config.S3_PUBLIC_ENDPOINT;
  return {
    client,
    publicClient: publicEndpoint && publicEndpoint !== config.S3_ENDPOINT ? clientFor(publicEndpoint, config) : client,
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
