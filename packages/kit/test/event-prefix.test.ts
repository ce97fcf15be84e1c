import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { topics, type UserDeleted } from '../src/events/contracts.ts';
import type { EventBus } from '../src/events/event-bus.ts';
import { eventBusFromConfig } from '../src/events/event-bus-from-config.ts';
import { createLogger } from '../src/logger.ts';
import { subgraphConfigShape } from '../src/service-config.ts';

// Real Redis: two deployments sharing one Redis (say staging and production), each with its EVENT_PREFIX.
const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const run = randomBytes(4).toString('hex');
const logger = createLogger('event-prefix-test', 'silent');
const buses: EventBus[] = [];
const bus = (prefix: string) => {
  const b = eventBusFromConfig(REDIS_URL, logger, prefix);
  buses.push(b);
  return b;
};
afterAll(async () => {
  await Promise.all(buses.map((b) => b.close()));
});

describe('EVENT_PREFIX', () => {
  it('keeps the live events of deployments that share a Redis apart, and joins the replicas of one', async () => {
    const production = bus(`t-${run}-prod:`);
    const productionReplica = bus(`t-${run}-prod:`);
    const staging = bus(`t-${run}-staging:`);
    const seen: Record<string, UserDeleted[]> = { replica: [], staging: [] };
    await productionReplica.subscribe(topics.userDeleted, (e) => void seen['replica']!.push(e));
    await staging.subscribe(topics.userDeleted, (e) => void seen['staging']!.push(e));
    const event = { userId: '00000000-0000-4000-8000-000000000001', deletedAt: new Date().toISOString() };
    await production.publish(topics.userDeleted, event);
    await expect.poll(() => seen['replica']).toEqual([event]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen['staging']).toEqual([]);
  });

  it('is a short channel-safe name, vegshare: unless set', () => {
    const shape = z.object({ EVENT_PREFIX: subgraphConfigShape(0).EVENT_PREFIX });
    expect(shape.parse({}).EVENT_PREFIX).toBe('vegshare:');
    expect(shape.parse({ EVENT_PREFIX: 'vegshare-staging:' }).EVENT_PREFIX).toBe('vegshare-staging:');
    for (const bad of ['', 'has space:', 'star*:', 'x'.repeat(65)])
      expect(shape.safeParse({ EVENT_PREFIX: bad }).success, bad).toBe(false);
  });
});
