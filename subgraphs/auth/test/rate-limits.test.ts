import { describe, expect, it } from 'vitest';
import { AuthRateLimits } from '../src/domain/rate-limits.ts';

const limits = () => new AuthRateLimits({ prefix: 'test', loginPerIp: 100, registerPerIp: 100, freeFailures: 2 }, null);

describe('AuthRateLimits.accountState', () => {
  it('says an account without failures has nothing for a success to clear', async () => {
    expect(await limits().accountState('fresh@example.test')).toEqual({ lockedFor: null, failures: false });
  });

  it('reports failures before the back-off, then the back-off, and nothing after a success', async () => {
    const l = limits();
    const email = 'target@example.test';
    await l.accountFailure(email);
    expect(await l.accountState(email)).toEqual({ lockedFor: null, failures: true });
    await l.accountFailure(email);
    await l.accountFailure(email); // third failure, past the two free ones: locked for 1 s
    const locked = await l.accountState(email);
    expect(locked.failures).toBe(true);
    expect(locked.lockedFor).toBeGreaterThan(0);
    expect(locked.lockedFor).toBeLessThanOrEqual(1);
    expect(AuthRateLimits.accountLocked(locked).extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 1 });
    await expect(l.assertAccountOpen(email)).rejects.toThrow(/Too many attempts/);
    await l.accountSuccess(email);
    expect(await l.accountState(email)).toEqual({ lockedFor: null, failures: false });
  });
});
