import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readdir, rm } from 'node:fs/promises';
import { readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createJwtVerifier, type ObjectStore, type Role, type TokenVerifier } from '@vegshare/kit';
import { clipArgs } from '@vegshare/tools/demo-cameras/test-pattern';

export const run = promisify(execFile);
const ISSUER = 'https://auth.test.local';
const AUDIENCE = 'vegshare-test';

export interface Tokens {
  readonly verifier: TokenVerifier;
  mint(userId: string, roles: Role[]): Promise<string>;
}

/** An Ed25519 key pair standing in for the auth service: mint tokens, verify them in the subgraph. */
export async function createTokens(): Promise<Tokens> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test', alg: 'EdDSA', use: 'sig' };
  return {
    verifier: createJwtVerifier({ keys: createLocalJWKSet({ keys: [jwk] }), issuer: ISSUER, audience: AUDIENCE }),
    mint: (userId, roles) =>
      new SignJWT({ roles })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'test' })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey),
  };
}

export interface GqlResult<T = Record<string, unknown>> {
  readonly data?: T | null;
  readonly errors?: { message: string; extensions?: { code?: string } }[];
}

export async function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GqlResult<T>> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GqlResult<T>;
}

export function wsClient(url: string, token: string): Client {
  return createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: true,
  });
}

/** Subscribes and collects every payload until `dispose()`. */
export function collect<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
): { events: T[]; errors: unknown[]; dispose(): void } {
  const events: T[] = [];
  const errors: unknown[] = [];
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (v) => (v.data ? events.push(v.data as T) : errors.push(v.errors)),
      error: (e) => errors.push(e),
      complete: () => undefined,
    },
  );
  return { events, errors, dispose };
}

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 30_000,
  everyMs = 150,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A synthetic recording: testsrc2 video + sine audio. */
export async function makeClip(file: string, seconds: number, size = '320x180', audio = true): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const [width = 320, height = 180] = size.split('x').map(Number);
  const spec = { width, height, fps: 30, seconds, preset: 'ultrafast' as const };
  await run('ffmpeg', clipArgs(audio ? { ...spec, audio: { frequency: 440 } } : spec, [file]));
}

const temps: string[] = [];
export const tempDir = async (label: string): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), `vegshare-tc-${label}-`));
  temps.push(dir);
  return dir;
};
/** Removes every directory tempDir made in this test file. */
export const removeTempDirs = async (): Promise<void> => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
};

export async function listKeys(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of store.client.listObjectsV2(store.bucket, prefix, true) as AsyncIterable<{ name?: string }>)
    if (item.name) keys.push(item.name);
  return keys.sort();
}

/** Copies every object under `prefix` to `dir`, keeping relative paths. */
export async function downloadPrefix(store: ObjectStore, prefix: string, dir: string): Promise<string[]> {
  const keys = await listKeys(store, prefix);
  for (const key of keys) await store.client.fGetObject(store.bucket, key, join(dir, key.slice(prefix.length)));
  return keys;
}

export async function ffprobe(file: string, args: string[]): Promise<unknown> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', ...args, file], {
    maxBuffer: 32 * 1024 * 1024,
  });
  return JSON.parse(stdout) as unknown;
}

/** Processes (e.g. ffmpeg) whose working directory contains `fragment`: how a test sees a job's ffmpeg. */
export async function processesInDir(fragment: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if ((await readlink(`/proc/${entry}/cwd`)).includes(fragment)) pids.push(Number(entry));
    } catch {
      // gone or not ours
    }
  }
  return pids;
}

export const objectExists = (store: ObjectStore, key: string) =>
  store.client.statObject(store.bucket, key).then(
    () => true,
    () => false,
  );
