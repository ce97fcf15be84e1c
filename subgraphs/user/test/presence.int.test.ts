// Presence across replicas on the machine's Redis: a live session on one replica is seen by another; leaving ends it;
// a replica that dies without leaving stops counting once its entries expire.
import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@vegshare/kit';
import { redisPresence } from '../src/adapters/push/presence.ts';

const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `test-presence-${randomBytes(4).toString('hex')}:`;
const logger = createLogger('test', 'silent');
const connections: Redis[] = [];
const connect = () => {
  const r = new Redis(REDIS_URL);
  connections.push(r);
  return r;
};
afterAll(() => connections.forEach((r) => r.disconnect()));

describe('redis presence', () => {
  it('is shared by replicas and ends when the session leaves or its replica dies', async () => {
    const a = redisPresence(connect(), logger, { prefix, ttlMs: 1_500 });
    const b = redisPresence(connect(), logger, { prefix, ttlMs: 1_500 });
    const user = randomUUID();
    expect(await b.isOnline(user)).toBe(false);
    const leave = a.enter(user);
    await new Promise((r) => setTimeout(r, 100));
    expect(await b.isOnline(user)).toBe(true);
    leave();
    await new Promise((r) => setTimeout(r, 100));
    expect(await b.isOnline(user)).toBe(false);

    // A replica that stops refreshing (process gone) without leaving.
    const crashing = connect();
    const c = redisPresence(crashing, logger, { prefix, ttlMs: 1_500 });
    c.enter(user);
    await new Promise((r) => setTimeout(r, 100));
    expect(await b.isOnline(user)).toBe(true);
    crashing.disconnect();
    await new Promise((r) => setTimeout(r, 1_800));
    expect(await b.isOnline(user)).toBe(false);
    await a.close();
    await b.close();
  });
});
