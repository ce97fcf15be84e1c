import { describe, expect, it } from 'vitest';
import { isExclusionViolation, isUniqueViolation } from '../src/index.ts';

describe('constraint violations behind Prisma', () => {
  it('recognises a unique violation wherever Prisma or the driver adapter puts it', () => {
    expect(isUniqueViolation({ code: 'P2002', meta: { target: ['email'] } })).toBe(true);
    expect(
      isUniqueViolation({
        code: 'P2010',
        meta: { driverAdapterError: { cause: { kind: 'UniqueConstraintViolation' } } },
      }),
    ).toBe(true);
    expect(isUniqueViolation({ name: 'DriverAdapterError', cause: { originalCode: '23505' } })).toBe(true);
    expect(isUniqueViolation(new Error('something else'))).toBe(false);
    expect(isUniqueViolation(null)).toBe(false);
    expect(isUniqueViolation('P2002')).toBe(false);
  });

  it('recognises an exclusion violation by SQLSTATE or by the constraint named', () => {
    expect(isExclusionViolation({ cause: { originalCode: '23P01' } }, 'rental_no_overlap')).toBe(true);
    expect(
      isExclusionViolation(
        { message: 'conflicting key value violates exclusion constraint "rental_no_overlap"' },
        'rental_no_overlap',
      ),
    ).toBe(true);
    expect(isExclusionViolation({ code: 'P2002' }, 'rental_no_overlap')).toBe(false);
  });
});
