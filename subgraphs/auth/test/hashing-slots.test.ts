import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '@vegshare/kit';
import { argon2idHasher, PasswordService } from '../src/domain/passwords/hasher.ts';
import { slottedHasher } from '../src/domain/passwords/hashing-slots.ts';

const PASSWORD = 'correct horse battery staple';

async function metricValues(registry: ReturnType<typeof createMetrics>['registry']): Promise<Record<string, number>> {
  const values: Record<string, number> = {};
  for (const name of ['password_hashes', 'password_hashes_refused_total']) {
    const metric = await registry.getSingleMetric(name)?.get();
    for (const v of metric?.values ?? [])
      values[`${name}${v.labels['state'] ? `:${v.labels['state']}` : ''}`] = v.value;
  }
  return values;
}

describe('password hashing slots', () => {
  it('runs as many argon2id verifications at once as it has slots, queues the rest in order and refuses past the queue', async () => {
    const metrics = createMetrics('auth-test');
    const hasher = slottedHasher(argon2idHasher(), { concurrency: 2, maxWaiting: 1 }, metrics);
    const hash = await hasher.hash(PASSWORD);
    const finished: number[] = [];
    const verifications = [0, 1, 2].map((i) =>
      hasher.verify(hash, PASSWORD).then((ok) => {
        finished.push(i);
        return ok;
      }),
    );
    expect(hasher.load()).toEqual({ running: 2, waiting: 1 });
    expect(await metricValues(metrics.registry)).toMatchObject({
      'password_hashes:running': 2,
      'password_hashes:waiting': 1,
    });
    const refused = await hasher.verify(hash, PASSWORD).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(GraphQLError);
    expect((refused as GraphQLError).extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    // Estimated from the queue (3 ahead on 2 slots) and the last hash's duration: at least a second.
    expect((refused as GraphQLError).extensions['retryAfter']).toBeGreaterThanOrEqual(1);
    expect(await Promise.all(verifications)).toEqual([true, true, true]);
    // The queued one started only after a slot freed.
    expect(finished.at(-1)).toBe(2);
    expect(hasher.load()).toEqual({ running: 0, waiting: 0 });
    expect(await metricValues(metrics.registry)).toMatchObject({
      'password_hashes:running': 0,
      'password_hashes:waiting': 0,
      password_hashes_refused_total: 1,
    });
  });

  it('keeps a wrong password and a malformed hash apart from a refusal: both are a plain false', async () => {
    const hasher = slottedHasher(argon2idHasher(), { concurrency: 1, maxWaiting: 0 }, undefined);
    const hash = await hasher.hash(PASSWORD);
    expect(await hasher.verify(hash, 'wrong password')).toBe(false);
    expect(await hasher.verify('$argon2id$v=19$broken', PASSWORD)).toBe(false);
    expect(hasher.load()).toEqual({ running: 0, waiting: 0 });
  });

  it('limits the dummy verification for unknown accounts like a real one, so both are refused alike', async () => {
    const slotted = slottedHasher(argon2idHasher(), { concurrency: 1, maxWaiting: 0 }, undefined);
    const passwords = new PasswordService(slotted);
    const hash = await slotted.hash(PASSWORD);
    await passwords.verifyDummy(PASSWORD); // makes the dummy hash, outside the measured part
    const real = passwords.verify(hash, PASSWORD);
    const dummy = await passwords.verifyDummy(PASSWORD).catch((error: unknown) => error);
    expect((dummy as GraphQLError).extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    const known = await passwords.verify(hash, PASSWORD).catch((error: unknown) => error);
    expect((known as GraphQLError).extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(await real).toEqual({ ok: true, upgradedHash: null });
  });
});
