import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';

export interface LocalS3 {
  /** Environment for a service: S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET. */
  readonly env: { S3_ENDPOINT: string; S3_ACCESS_KEY: string; S3_SECRET_KEY: string; S3_BUCKET: string };
  stop(): Promise<void>;
}

/**
 * An S3 API server (s3rver) on an ephemeral port with its own directory, for tests and the embedded start.
 * Services talk to it through the real minio client, exactly as they would to MinIO or AWS.
 */
export async function startLocalS3(options: { bucket?: string; directory?: string; port?: number } = {}): Promise<LocalS3> {
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'vegshare-s3-')));
  const server = new S3rver({ port: options.port ?? 0, address: '127.0.0.1', silent: true, directory, resetOnClose: false });
  const address = (await server.run()) as AddressInfo;
  return {
    env: {
      S3_ENDPOINT: `http://127.0.0.1:${address.port}`,
      S3_ACCESS_KEY: 'S3RVER',
      S3_SECRET_KEY: 'S3RVER',
      S3_BUCKET: options.bucket ?? 'vegshare',
    },
    async stop() {
      await server.close();
      if (!options.directory) await rm(directory, { recursive: true, force: true });
    },
  };
}
