import { describe, expect, expectTypeOf, it } from 'vitest';
import { topics, type PlotActivity, type RentalChanged, type StreamSnapshot } from '../src/events/contracts.ts';
import type { EventBus } from '../src/events/event-bus.ts';
import { eventIterator } from '../src/events/event-iterator.ts';
import { isDurableTopic } from '../src/events/contracts.ts';
import { MemoryEventBus } from '../src/events/memory-event-bus.ts';

// The topic decides the payload: `tsc -b` (npm run check) fails if a `@ts-expect-error` line below compiles.

const rental: RentalChanged = {
  rentalId: 'r1',
  plotId: 'p1',
  farmId: 'f1',
  customerId: 'c1',
  status: 'ACTIVE',
  startsOn: '2027-03-01',
  endsOn: '2027-11-01',
};

describe('EventBus<EventPayloads>', () => {
  it('ties the payload to the topic, for fixed and per-entity topics', async () => {
    const bus: EventBus = new MemoryEventBus();
    const heard: string[] = [];
    await bus.subscribe(topics.rentalChanged, (event) => {
      expectTypeOf(event).toEqualTypeOf<RentalChanged>();
      heard.push(event.rentalId);
    });
    await bus.subscribe(topics.plotWatchers('p1'), (event) => {
      expectTypeOf(event).toEqualTypeOf<{ readonly plotId: string }>();
      heard.push(event.plotId);
    });
    await bus.subscribe(topics.plotActivity('p1'), (event) => expectTypeOf(event).toEqualTypeOf<PlotActivity>());

    await bus.publish(topics.rentalChanged, rental);
    await bus.publish(topics.plotWatchers('p1'), { plotId: 'p1' });
    await new Promise((r) => setTimeout(r, 10));
    expect(heard.sort()).toEqual(['p1', 'r1']);

    const fail = async () => {
      // @ts-expect-error a payload of another topic
      await bus.publish(topics.rentalChanged, { plotId: 'p1' });
      // @ts-expect-error a per-entity topic with another topic's payload
      await bus.publish(topics.plotWatchers('p1'), { cameraId: 'c1' });
      // @ts-expect-error a payload missing a field
      await bus.publish(topics.cameraHealth('f1'), {});
      // @ts-expect-error a topic no one declared
      await bus.publish('farm.rental.changd', rental);
      // @ts-expect-error a per-entity name that matches no pattern
      await bus.publish(`farm.plot.${'p1'}.activities`, rental);
      // @ts-expect-error any string is not a topic
      await bus.subscribe('somewhere' as string, () => undefined);
      // @ts-expect-error the handler reads another payload
      await bus.subscribe(topics.rentalChanged, (event: { cameraId: string }) => void event);
    };
    expect(fail).toBeTypeOf('function');
  });

  it('infers an iterator’s payload from the topic', async () => {
    const bus = new MemoryEventBus();
    const live = await eventIterator(bus, topics.streamStatus('s1'));
    expectTypeOf(live).toEqualTypeOf<AsyncIterableIterator<StreamSnapshot>>();
    await live.return?.();
  });

  it('keeps the durable and live-only topics apart', () => {
    expect(isDurableTopic(topics.rentalChanged)).toBe(true);
    expect(isDurableTopic(topics.accessRevoked)).toBe(false);
    expect(isDurableTopic(topics.transcodeControl)).toBe(false);
    expect(isDurableTopic(topics.plotActivity('p1'))).toBe(false);
  });
});
