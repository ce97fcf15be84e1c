import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import type { Crop } from '../generated/prisma/client.ts';
import { plantCount, scheduleTasks, validatePlan, type PlannedItem } from './plans.ts';
import { toDbDate } from './dates.ts';

const crop = (over: Partial<Crop>): Crop => ({
  id: 'c1',
  name: 'Tomato',
  variety: 'X',
  daysToMaturity: 80,
  spacingCm: 60,
  sowingMonths: [3, 4, 5],
  expectedYieldKgPerM2: 6,
  ...over,
});
const rental = { startsOn: toDbDate('2030-03-01'), endsOn: toDbDate('2030-11-01') };
const plot = { areaM2: 10 };

function fieldOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GraphQLError);
    expect((e as GraphQLError).extensions['code']).toBe('BAD_USER_INPUT');
    return (e as GraphQLError).extensions['field'] as string;
  }
  return undefined;
}

describe('planting plan validation', () => {
  it('accepts a plan that fits area, spacing, sowing window and the rental', () => {
    expect(
      fieldOf(() => validatePlan(plot, rental, [{ crop: crop({}), share: 0.5, sowOn: '2030-04-10' }])),
    ).toBeUndefined();
  });
  it('refuses shares adding up to more than the plot', () => {
    const items: PlannedItem[] = [
      { crop: crop({ id: 'a' }), share: 0.6, sowOn: '2030-04-10' },
      { crop: crop({ id: 'b', name: 'Bean' }), share: 0.5, sowOn: '2030-04-10' },
    ];
    expect(fieldOf(() => validatePlan(plot, rental, items))).toBe('items');
  });
  it('refuses an area too small for one plant at the crop spacing', () => {
    // 0.01 × 10 m² = 0.1 m² < 0.6 m × 0.6 m
    expect(fieldOf(() => validatePlan(plot, rental, [{ crop: crop({}), share: 0.01, sowOn: '2030-04-10' }]))).toBe(
      'items.0.share',
    );
  });
  it('refuses sowing outside the crop sowing months', () => {
    expect(fieldOf(() => validatePlan(plot, rental, [{ crop: crop({}), share: 0.5, sowOn: '2030-07-10' }]))).toBe(
      'items.0.sowOn',
    );
  });
  it('refuses a crop that would not mature before the rental ends', () => {
    const short = { startsOn: toDbDate('2030-03-01'), endsOn: toDbDate('2030-06-01') };
    expect(fieldOf(() => validatePlan(plot, short, [{ crop: crop({}), share: 0.5, sowOn: '2030-04-10' }]))).toBe(
      'items.0.sowOn',
    );
  });
  it('refuses the same crop twice', () => {
    const c = crop({});
    expect(
      fieldOf(() =>
        validatePlan(plot, rental, [
          { crop: c, share: 0.2, sowOn: '2030-04-10' },
          { crop: c, share: 0.2, sowOn: '2030-04-11' },
        ]),
      ),
    ).toBe('items.1.cropId');
  });
  it('counts plants on a square grid', () => {
    expect(plantCount(1, 50)).toBe(4);
    expect(plantCount(0.2, 50)).toBe(0);
  });
});

describe('task schedule', () => {
  it('sows and harvests each crop, waters weekly and weeds every three weeks until the last harvest', () => {
    const tasks = scheduleTasks([
      { crop: crop({ id: 'a', name: 'Lettuce', daysToMaturity: 50 }), share: 0.5, sowOn: '2030-04-01' },
      { crop: crop({ id: 'b', name: 'Carrot', daysToMaturity: 75 }), share: 0.5, sowOn: '2030-04-15' },
    ]);
    const of = (kind: string) => tasks.filter((t) => t.kind === kind).map((t) => t.dueOn);
    expect(of('SOW')).toEqual(['2030-04-01', '2030-04-15']);
    expect(of('HARVEST')).toEqual(['2030-05-21', '2030-06-29']);
    expect(of('WATER')[0]).toBe('2030-04-08');
    expect(of('WATER').at(-1)! < '2030-06-29').toBe(true);
    expect(of('WATER')).toHaveLength(12);
    expect(of('WEED')).toEqual(['2030-04-15', '2030-05-06', '2030-05-27', '2030-06-17']);
    expect(tasks.map((t) => t.dueOn)).toEqual([...tasks.map((t) => t.dueOn)].sort());
  });
  it('is empty for an empty plan', () => {
    expect(scheduleTasks([])).toEqual([]);
  });
});
