import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { Resources } from '../src/lifecycle.ts';

const logger = createLogger('lifecycle-test', 'silent');

describe('Resources', () => {
  it('closes what was opened last first, once, however many callers ask', async () => {
    const closed: string[] = [];
    const resources = new Resources(logger);
    const pool = resources.add('pool', { name: 'pool' }, (p) => void closed.push(p.name));
    resources.onClose('subscription', async () => void closed.push('subscription'));
    resources.onClose('timer', () => void closed.push('timer'));
    expect(pool.name).toBe('pool');
    await Promise.all([resources.close(), resources.close()]);
    await resources.close();
    expect(closed).toEqual(['timer', 'subscription', 'pool']);
    expect(resources.size).toBe(0);
  });

  it('goes on past a resource that fails or hangs', async () => {
    const closed: string[] = [];
    const resources = new Resources(logger, { timeoutMs: 50 });
    resources.onClose('first', () => void closed.push('first'));
    resources.onClose('hangs', () => new Promise(() => undefined));
    resources.onClose('fails', () => Promise.reject(new Error('boom')));
    resources.onClose('throws', () => {
      throw new Error('sync boom');
    });
    const started = Date.now();
    await resources.close();
    expect(closed).toEqual(['first']);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('closes what a failed start opened, and passes the error on', async () => {
    const closed: string[] = [];
    const resources = new Resources(logger);
    await expect(
      resources.build(async () => {
        resources.onClose('db', () => void closed.push('db'));
        resources.onClose('bus', () => void closed.push('bus'));
        throw new Error('bucket missing');
      }),
    ).rejects.toThrow('bucket missing');
    expect(closed).toEqual(['bus', 'db']);
  });

  it('closes at once what is registered after closing began', async () => {
    const closed: string[] = [];
    const resources = new Resources(logger);
    await resources.close();
    resources.onClose('late', () => void closed.push('late'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(closed).toEqual(['late']);
  });
});
