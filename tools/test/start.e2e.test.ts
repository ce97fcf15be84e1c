// `npm start` as a new user meets it (issue 21, items 1–3; issue 14, finding 2): as root from a copy of the repository
// in a mode-700 directory (where the `postgres` user cannot reach node_modules or .data), with PUBLIC_HOST set to
// this machine's LAN address, on free ports. Then, from another device's point of view: the gateway answers on the LAN
// address, subgraphs do not (and refuse local callers without the gateway secret), avatar uploads and email links
// point at the LAN address and work there, and variables reach the services they are meant for.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo } from '@vegshare/demo';
import { freePorts } from '../src/ports.ts';
import { runNpmStart, type StartProcess } from '../src/testing/start-process.ts';
import { waitFor } from '../src/testing/wait.ts';
import { readRoverConfig, repoRoot } from '../src/workspace.ts';

const isRoot = process.getuid?.() === 0;
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
const subgraphNames = readRoverConfig().subgraphs.map((s) => s.name);

let base: string;
let sharedDir: string;
let cwd: string;
let start: StartProcess;
let ports: Record<string, number>;
const publicHost = lanAddress ?? 'localhost';

/** The repository as a user's clone: sources and installed packages (hard links: fast, no space), no .git or data. */
function copyRepository(to: string): void {
  const skip = new Set(['.git', '.data', 'mobile', 'coverage']);
  for (const entry of readdirSync(repoRoot)) {
    if (skip.has(entry)) continue;
    try {
      execFileSync('cp', ['-al', join(repoRoot, entry), to]);
    } catch {
      execFileSync('cp', ['-a', join(repoRoot, entry), to]);
    }
  }
}

const reaches = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });

async function gql<T>(
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<{ data?: T; errors?: { extensions?: { code?: string } }[] }> {
  const res = await fetch(`http://${publicHost}:${ports['gateway']}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: T; errors?: { extensions?: { code?: string } }[] };
}

const REGISTER = 'mutation($i: RegisterInput!) { register(input: $i) { accessToken } }';
const register = (email: string) =>
  gql<{ register: { accessToken: string } }>(REGISTER, {
    i: { email, password: 'a long enough passphrase 21', displayName: 'Phone User' },
  });

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'vegshare-home-'));
  await chmod(base, 0o700);
  sharedDir = await mkdtemp(join(tmpdir(), 'vegshare-shared-'));
  await chmod(sharedDir, 0o755);
  if (isRoot) {
    cwd = join(base, 'vegshare');
    execFileSync('mkdir', [cwd]);
    copyRepository(cwd);
  } else {
    // Not root: the start runs in place (the root-only part is skipped below), its data in the private directory.
    cwd = repoRoot;
  }
  const free = await freePorts(5 + subgraphNames.length);
  ports = { gateway: free[0]!, pg: free[1]!, s3: free[2]!, stripe: free[3]!, yookassa: free[4]! };
  subgraphNames.forEach((name, i) => (ports[name] = free[5 + i]!));
  const env: Record<string, string> = {
    PORT: String(ports['gateway']),
    EMBEDDED_PG_PORT: String(ports['pg']),
    EMBEDDED_S3_PORT: String(ports['s3']),
    // The payment sandbox too: its default ports are another npm start's on a shared machine.
    SANDBOX_STRIPE_PORT: String(ports['stripe']),
    SANDBOX_YOOKASSA_PORT: String(ports['yookassa']),
    EMBEDDED_PG_SHARED_DIR: sharedDir,
    PUBLIC_HOST: publicHost,
    LOG_LEVEL: 'warn',
    // A plain variable for every service that reads it, and a prefixed one for auth alone, which wins.
    REGISTER_IP_LIMIT: '50',
    AUTH_REGISTER_IP_LIMIT: '2',
    ACCESS_TOKEN_TTL_SECONDS: '120',
  };
  for (const name of subgraphNames) env[`${name.toUpperCase()}_PORT`] = String(ports[name]);
  if (!isRoot) env['DATA_DIR'] = join(base, 'data');
  start = runNpmStart(cwd, env);
  await start.waitForOutput('VegShare supergraph:', 240_000);
}, 300_000);

afterAll(async () => {
  await start?.stop();
  await rm(base, { recursive: true, force: true });
  await rm(sharedDir, { recursive: true, force: true });
}, 60_000);

describe('npm start, first run', () => {
  it.skipIf(!isRoot)(
    'as root from a mode-700 directory: Postgres runs as `postgres` with binaries and data it can reach',
    async () => {
      expect(start.stderr()).not.toMatch(/EACCES|\n\s+at /);
      // The copy's own .data/postgres is unreachable for `postgres`: the data and a copy of the binaries live in the shared directory.
      expect(existsSync(join(cwd, '.data', 'postgres'))).toBe(false);
      const shared = await readdir(sharedDir);
      expect(shared.some((e) => /^postgres-[\d.]+.*-linux-/.test(e))).toBe(true);
      const dataDir = shared.find((e) => e.startsWith('data-'));
      expect(dataDir && existsSync(join(sharedDir, dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
      const owner = execFileSync('stat', ['-c', '%U', join(sharedDir, dataDir ?? '', 'postgres')], {
        encoding: 'utf8',
      }).trim();
      expect(owner).toBe('postgres');
      // …and the seeded supergraph works.
      const farms = await gql<{ farms: { edges: { node: { name: string } }[] } }>(
        '{ farms(first: 5) { edges { node { name } } } }',
      );
      expect(farms.data?.farms.edges.map((e) => e.node.name)).toContain('Green Acres');
    },
  );

  it('prints where other devices reach it', () => {
    expect(start.stdout()).toContain(`VegShare supergraph: http://${publicHost}:${ports['gateway']}/graphql`);
  });

  it.skipIf(!lanAddress)(
    'only the gateway listens on the LAN address; subgraphs listen on loopback and want the gateway secret',
    async () => {
      expect(await reaches(publicHost, ports['gateway']!)).toBe(true);
      for (const name of subgraphNames) {
        expect(await reaches(publicHost, ports[name]!), `${name} on ${publicHost}`).toBe(false);
        expect(await reaches('127.0.0.1', ports[name]!), `${name} on loopback`).toBe(true);
        const res = await fetch(`http://127.0.0.1:${ports[name]}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ _service { sdl } }' }),
        });
        expect(res.status, `${name} without the secret`).toBe(403);
        expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe(
          'FORBIDDEN',
        );
        const wrong = await fetch(`http://127.0.0.1:${ports[name]}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-gateway-secret': 'guessed-gateway-secret-0000' },
          body: JSON.stringify({ query: '{ _service { sdl } }' }),
        });
        expect(wrong.status, `${name} with a guessed secret`).toBe(403);
      }
    },
  );

  it.skipIf(!lanAddress)(
    'hands out avatar upload and download URLs on the LAN address, and they work there',
    async () => {
      const login = await gql<{ login: { accessToken: string } }>(
        'mutation($i: LoginInput!) { login(input: $i) { accessToken } }',
        { i: { email: demo.users.customer.email, password: demo.password } },
      );
      const token = login.data!.login.accessToken;
      const png = Buffer.alloc(256, 1);
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(png);
      const ticket = await gql<{ requestAvatarUpload: { url: string; key: string } }>(
        'mutation($s: Int!) { requestAvatarUpload(contentType: "image/png", sizeBytes: $s) { url key } }',
        { s: png.length },
        token,
      );
      const upload = ticket.data!.requestAvatarUpload;
      expect(new URL(upload.url).origin).toBe(`http://${publicHost}:${ports['s3']}`);
      const put = await fetch(upload.url, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: png });
      expect(put.status).toBe(200);
      const confirmed = await gql<{ confirmAvatarUpload: { avatarUrl: string } }>(
        'mutation($k: String!) { confirmAvatarUpload(key: $k) { avatarUrl } }',
        { k: upload.key },
        token,
      );
      const avatarUrl = confirmed.data!.confirmAvatarUpload.avatarUrl;
      expect(new URL(avatarUrl).origin).toBe(`http://${publicHost}:${ports['s3']}`);
      const download = await fetch(avatarUrl);
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer()).equals(png)).toBe(true);
      // The S3 API other devices can reach serves no one anonymously.
      const anonymous = await fetch(`http://${publicHost}:${ports['s3']}/vegshare/${upload.key}`);
      expect(anonymous.status).toBe(403);
    },
  );

  it('builds email links from the public web origin, and passes every service its variables (prefixed ones win)', async () => {
    const email = `phone-${Date.now()}@example.test`;
    const first = await register(email);
    expect(first.errors).toBeUndefined();
    const mailbox = (await (
      await fetch(`http://127.0.0.1:${ports['auth']}/dev/mailbox?email=${encodeURIComponent(email)}`)
    ).json()) as { messages: { body: string }[] };
    const link = /https?:\/\/\S+verify-email\?token=\S+/.exec(mailbox.messages[0]?.body ?? '')?.[0];
    expect(link && new URL(link).origin).toBe(`http://${publicHost}:8081`);

    // ACCESS_TOKEN_TTL_SECONDS (plain) reached auth.
    const claims = JSON.parse(
      Buffer.from(first.data!.register.accessToken.split('.')[1]!, 'base64url').toString('utf8'),
    ) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(120);
    // AUTH_REGISTER_IP_LIMIT=2 beat REGISTER_IP_LIMIT=50: the third registration from this address is refused.
    expect((await register(`second-${email}`)).errors).toBeUndefined();
    expect((await register(`third-${email}`)).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });

  it('stops on Ctrl-C with everything it started, Postgres included', async () => {
    // npm itself dies of the signal, as it does at a terminal; the start drains and stops Postgres behind it.
    await start.stop();
    const open = async () => {
      const all = [ports['gateway']!, ports['pg']!, ports['s3']!, ...subgraphNames.map((n) => ports[n]!)];
      const reached = await Promise.all(all.map((port) => reaches('127.0.0.1', port)));
      return all.filter((_, i) => reached[i]);
    };
    expect(await waitFor(open, (still) => still.length === 0, 30_000)).toEqual([]);
    expect(start.stderr()).not.toMatch(/\n\s+at /);
  }, 60_000);
});
