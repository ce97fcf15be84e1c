import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';

export interface LocalS3 {
  /** Environment for a service: S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET. */
  readonly env: { S3_ENDPOINT: string; S3_ACCESS_KEY: string; S3_SECRET_KEY: string; S3_BUCKET: string };
  readonly port: number;
  stop(): Promise<void>;
}

export interface LocalS3Options {
  readonly bucket?: string;
  readonly directory?: string;
  readonly port?: number;
  /** Listen address; loopback by default. */
  readonly address?: string;
  /**
   * For an S3 API other machines can reach (the embedded start with a LAN PUBLIC_HOST): these credentials instead of
   * s3rver's well-known `S3RVER` pair (then refused; s3rver keeps one account per process, so this applies to every
   * s3rver in the process), and unsigned requests are refused (s3rver would serve them anonymously). s3rver does not
   * verify SigV4 signatures, only the access key id, which every presigned URL shows: this keeps out the rest of the
   * network, not someone who was handed a presigned URL.
   */
  readonly credentials?: { readonly accessKey: string; readonly secretKey: string };
}

interface S3rverAccount {
  createKeyPair(accessKeyId: string, secretAccessKey: string): void;
  revokeAccessKey(accessKeyId: string): void;
}
const WELL_KNOWN_KEY = 'S3RVER';
const ACCESS_DENIED =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';

/** Whether a request carries any S3 authentication (an Authorization header, or a presigned URL's query). */
function isSigned(req: IncomingMessage): boolean {
  if (req.headers.authorization) return true;
  const query = new URL(req.url ?? '/', 'http://s3').searchParams;
  return query.has('X-Amz-Algorithm') || query.has('Signature');
}

function listen(server: Server, port: number, address: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** s3rver's only account (it has no option for credentials); its key pairs are what requests are checked against. */
function s3rverAccount(): S3rverAccount {
  const require = createRequire(import.meta.url);
  return (require('s3rver/lib/models/account.js') as { DUMMY_ACCOUNT: S3rverAccount }).DUMMY_ACCOUNT;
}

/**
 * An S3 API server (s3rver) on an ephemeral port with its own directory, for tests and the embedded start.
 * Services talk to it through the real minio client, exactly as they would to MinIO or AWS.
 */
export async function startLocalS3(options: LocalS3Options = {}): Promise<LocalS3> {
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'vegshare-s3-')));
  const address = options.address ?? '127.0.0.1';
  if (options.credentials) {
    const account = s3rverAccount();
    account.createKeyPair(options.credentials.accessKey, options.credentials.secretKey);
    account.revokeAccessKey(WELL_KNOWN_KEY);
  }
  const s3rver = new S3rver({ silent: true, directory, resetOnClose: false });
  await s3rver.configureBuckets();
  const handle = s3rver.callback();
  const signedOnly = options.credentials !== undefined;
  // Our own HTTP server around s3rver's handler: a listen error (port in use) is a rejection here, where s3rver's
  // run() would leave it an unhandled 'error' event.
  const server = createServer((req, res) => {
    if (signedOnly && !isSigned(req)) {
      res.writeHead(403, { 'content-type': 'application/xml' }).end(ACCESS_DENIED);
      return;
    }
    handle(req, res);
  });
  const listening = await listen(server, options.port ?? 0, address);
  const local = address === '0.0.0.0' || address === '::' ? '127.0.0.1' : address;
  return {
    env: {
      S3_ENDPOINT: `http://${local}:${listening.port}`,
      S3_ACCESS_KEY: options.credentials?.accessKey ?? WELL_KNOWN_KEY,
      S3_SECRET_KEY: options.credentials?.secretKey ?? WELL_KNOWN_KEY,
      S3_BUCKET: options.bucket ?? 'vegshare',
    },
    port: listening.port,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      if (!options.directory) await rm(directory, { recursive: true, force: true });
    },
  };
}
