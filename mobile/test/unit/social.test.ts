import { describe, expect, it } from 'vitest';
import { PENDING_TTL_MS, pendingSlot } from '../../src/auth/social-types';

function memorySlot() {
  let value: string | null = null;
  return pendingSlot({ read: () => value, write: (next) => void (value = next) });
}

describe('pending social sign-ins', () => {
  it('gives a started sign-in back once, for its own state only', () => {
    const slot = memorySlot();
    slot.remember({ state: 's-1', provider: 'GOOGLE', startedAt: 1_000 });
    // A redirect with a state this app did not start finds nothing, and leaves the started one waiting.
    expect(slot.takePending('forged', 2_000)).toBeNull();
    expect(slot.takePending('s-1', 2_000)).toEqual({ state: 's-1', provider: 'GOOGLE', startedAt: 1_000 });
    expect(slot.takePending('s-1', 2_000)).toBeNull();
  });

  it('forgets a sign-in older than auth keeps it, and one replaced by a newer start', () => {
    const slot = memorySlot();
    slot.remember({ state: 'old', provider: 'VK', startedAt: 0 });
    expect(slot.takePending('old', PENDING_TTL_MS + 1)).toBeNull();
    slot.remember({ state: 'first', provider: 'VK', startedAt: 0 });
    slot.remember({ state: 'second', provider: 'APPLE', startedAt: 0 });
    expect(slot.takePending('first', 1)).toBeNull();
    expect(slot.takePending('second', 1)?.provider).toBe('APPLE');
  });

  it('survives garbage in its storage', () => {
    let value: string | null = '{not json';
    const slot = pendingSlot({ read: () => value, write: (next) => void (value = next) });
    expect(slot.takePending('x')).toBeNull();
    expect(value).toBeNull();
  });
});
