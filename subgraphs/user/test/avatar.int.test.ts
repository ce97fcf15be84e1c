import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AVATAR_MAX_BYTES } from '../src/domain/avatars.ts';
import { codes, startHarness, type Harness } from './harness.ts';

let h: Harness;

const REQUEST =
  'mutation($t: String!, $s: Int!) { requestAvatarUpload(contentType: $t, sizeBytes: $s) { url key contentType sizeBytes expiresAt } }';
const CONFIRM = 'mutation($k: String!) { confirmAvatarUpload(key: $k) { id avatarUrl } }';

interface Ticket {
  url: string;
  key: string;
  contentType: string;
  sizeBytes: number;
  expiresAt: string;
}

/** A small file that starts with the real signature of its type. */
function image(type: 'image/png' | 'image/jpeg' | 'image/webp', size = 2048): Buffer {
  const bytes = Buffer.alloc(size, 7);
  const head =
    type === 'image/png'
      ? Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
      : type === 'image/jpeg'
        ? Buffer.from([0xff, 0xd8, 0xff, 0xe0])
        : Buffer.concat([Buffer.from('RIFF'), Buffer.from([0, 0, 0, 0]), Buffer.from('WEBP')]);
  head.copy(bytes);
  return bytes;
}

async function user() {
  const id = randomUUID();
  return { id, token: await h.tokens.mint(id) };
}

async function request(token: string, contentType: string, sizeBytes: number): Promise<Ticket> {
  const res = await h.gql<{ requestAvatarUpload: Ticket }>(REQUEST, { t: contentType, s: sizeBytes }, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.requestAvatarUpload;
}

async function put(ticket: Ticket, body: Buffer, contentType = ticket.contentType): Promise<number> {
  const res = await fetch(ticket.url, { method: 'PUT', headers: { 'content-type': contentType }, body });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('avatar upload', () => {
  it('uploads through the presigned URL, confirms, and serves it through a signed GET URL', async () => {
    const u = await user();
    const bytes = image('image/png');
    const ticket = await request(u.token, 'image/png', bytes.length);
    expect(ticket.key).toMatch(new RegExp(`^avatars/${u.id}/[0-9a-f-]{36}\\.png$`));
    expect(new Date(ticket.expiresAt).getTime()).toBeGreaterThan(Date.now() + 10 * 60_000);
    expect(await put(ticket, bytes)).toBe(200);

    const res = await h.gql<{ confirmAvatarUpload: { id: string; avatarUrl: string } }>(
      CONFIRM,
      { k: ticket.key },
      u.token,
    );
    expect(res.body.errors).toBeUndefined();
    const url = res.body.data!.confirmAvatarUpload.avatarUrl;
    expect(url).toContain(encodeURI(ticket.key));
    const image_ = await fetch(url);
    expect(image_.status).toBe(200);
    expect(Buffer.from(await image_.arrayBuffer()).equals(bytes)).toBe(true);

    // Public: anyone sees the avatar. Signed as of the start of the hour, so the URL is stable (cacheable) for an hour.
    const publicView = await h.gql<{ user: { avatarUrl: string } }>('query($id: ID!) { user(id: $id) { avatarUrl } }', {
      id: u.id,
    });
    expect(new URL(publicView.body.data!.user.avatarUrl).pathname).toBe(new URL(url).pathname);
    expect(new URL(url).searchParams.get('X-Amz-Date')).toMatch(/T\d\d0000Z$/);
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('7200');

    // A confirmed upload cannot be confirmed again.
    expect(codes(await h.gql(CONFIRM, { k: ticket.key }, u.token))).toEqual(['NOT_FOUND']);
  });

  it('replaces the previous avatar and deletes its object; removeAvatar clears it', async () => {
    const u = await user();
    const first = await request(u.token, 'image/jpeg', 1000);
    await put(first, image('image/jpeg', 1000));
    await h.gql(CONFIRM, { k: first.key }, u.token);
    const second = await request(u.token, 'image/webp', 3000);
    await put(second, image('image/webp', 3000));
    const res = await h.gql<{ confirmAvatarUpload: { avatarUrl: string } }>(CONFIRM, { k: second.key }, u.token);
    expect(res.body.data?.confirmAvatarUpload.avatarUrl).toContain(second.key);
    const { client } = (await import('@vegshare/kit')).createObjectStore({ ...h.s3.env, S3_REGION: 'us-east-1' });
    await expect(client.statObject(h.s3.env.S3_BUCKET, first.key)).rejects.toMatchObject({ code: 'NotFound' });
    const removed = await h.gql<{ removeAvatar: { avatarUrl: string | null } }>(
      'mutation { removeAvatar { avatarUrl } }',
      {},
      u.token,
    );
    expect(removed.body.data).toEqual({ removeAvatar: { avatarUrl: null } });
    await expect(client.statObject(h.s3.env.S3_BUCKET, second.key)).rejects.toMatchObject({ code: 'NotFound' });
  });

  it.each([
    ['image/gif', 100, 'contentType'],
    ['text/html', 100, 'contentType'],
    ['image/png', 0, 'sizeBytes'],
    ['image/png', -5, 'sizeBytes'],
    ['image/png', AVATAR_MAX_BYTES + 1, 'sizeBytes'],
  ])('refuses to grant %s of %d bytes (%s)', async (type, size, field) => {
    const u = await user();
    const res = await h.gql(REQUEST, { t: type, s: size }, u.token);
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('accepts exactly 5 MiB', async () => {
    const u = await user();
    const ticket = await request(u.token, 'IMAGE/JPEG', AVATAR_MAX_BYTES);
    expect(ticket.contentType).toBe('image/jpeg');
  });

  it('refuses to confirm when nothing was uploaded, or the size, type or bytes differ from the declaration', async () => {
    const u = await user();
    const nothing = await request(u.token, 'image/png', 100);
    expect(codes(await h.gql(CONFIRM, { k: nothing.key }, u.token))).toEqual(['BAD_USER_INPUT']);

    const bigger = await request(u.token, 'image/png', 100);
    await put(bigger, image('image/png', 5000));
    const sizeRes = await h.gql(CONFIRM, { k: bigger.key }, u.token);
    expect(codes(sizeRes)).toEqual(['BAD_USER_INPUT']);
    expect(sizeRes.body.errors?.[0]?.message).toContain('5000 bytes');

    const wrongType = await request(u.token, 'image/png', 100);
    await put(wrongType, image('image/png', 100), 'text/html');
    expect(codes(await h.gql(CONFIRM, { k: wrongType.key }, u.token))).toEqual(['BAD_USER_INPUT']);

    const notAnImage = await request(u.token, 'image/png', 100);
    await put(notAnImage, Buffer.from('<html>'.padEnd(100, ' ')));
    const sigRes = await h.gql(CONFIRM, { k: notAnImage.key }, u.token);
    expect(codes(sigRes)).toEqual(['BAD_USER_INPUT']);
    expect(sigRes.body.errors?.[0]?.message).toContain('not a image/png image');

    // Rejected uploads are deleted and cannot be retried with the same key.
    expect(codes(await h.gql(CONFIRM, { k: notAnImage.key }, u.token))).toEqual(['NOT_FOUND']);
    const profile = await h.db.profile.findUniqueOrThrow({ where: { id: u.id } });
    expect(profile.avatarKey).toBeNull();
  });

  it("refuses someone else's upload key, expired grants, and anonymous callers", async () => {
    const owner = await user();
    const thief = await user();
    const ticket = await request(owner.token, 'image/png', 100);
    await put(ticket, image('image/png', 100));
    expect(codes(await h.gql(CONFIRM, { k: ticket.key }, thief.token))).toEqual(['FORBIDDEN']);
    expect(codes(await h.gql(CONFIRM, { k: ticket.key }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await h.gql(REQUEST, { t: 'image/png', s: 100 }))).toEqual(['UNAUTHENTICATED']);

    await h.db.avatarUpload.update({
      where: { key: ticket.key },
      data: { expiresAt: new Date(Date.now() - 3_600_000) },
    });
    expect(codes(await h.gql(CONFIRM, { k: ticket.key }, owner.token))).toEqual(['CONFLICT']);
    expect(codes(await h.gql(CONFIRM, { k: 'avatars/../../etc/passwd' }, owner.token))).toEqual(['NOT_FOUND']);
  });
});

describe('avatar URLs for clients on another host (S3_PUBLIC_ENDPOINT)', () => {
  let pub: Harness;
  beforeAll(async () => {
    // The service talks to S3 at 127.0.0.1; clients are told another name of the same server, as a phone is told the
    // LAN address while the services use loopback.
    pub = await startHarness({
      env: (s3) => ({ S3_PUBLIC_ENDPOINT: s3.env.S3_ENDPOINT.replace('127.0.0.1', 'localhost') }),
    });
  });
  afterAll(async () => {
    await pub?.close();
  });

  it('signs upload and download URLs for the public endpoint, and both work there', async () => {
    const publicOrigin = pub.s3.env.S3_ENDPOINT.replace('127.0.0.1', 'localhost');
    const id = randomUUID();
    const token = await pub.tokens.mint(id);
    const bytes = image('image/webp', 512);
    const requested = await pub.gql<{ requestAvatarUpload: Ticket }>(
      REQUEST,
      { t: 'image/webp', s: bytes.length },
      token,
    );
    const ticket = requested.body.data!.requestAvatarUpload;
    expect(new URL(ticket.url).origin).toBe(publicOrigin);
    expect(await put(ticket, bytes)).toBe(200);
    const confirmed = await pub.gql<{ confirmAvatarUpload: { avatarUrl: string } }>(CONFIRM, { k: ticket.key }, token);
    const avatarUrl = confirmed.body.data!.confirmAvatarUpload.avatarUrl;
    expect(new URL(avatarUrl).origin).toBe(publicOrigin);
    const download = await fetch(avatarUrl);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });
});
