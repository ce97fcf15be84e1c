import {
  capacityExhausted,
  conflict,
  topics,
  inTransaction,
  isUniqueViolation,
  notFound,
  type EventBus,
  type LiveTranscodeRequested,
  type LiveTranscodeStatus,
  type LiveTranscodeStopRequested,
  type Logger,
  type NotificationRequested,
} from '@vegshare/kit';
import type { StreamingDb } from '../db.ts';
import type { Camera, Prisma, Stream } from '../generated/prisma/client.ts';
import type { StreamStatus } from '../generated/prisma/enums.ts';
import type { PresenceStore } from './presence.ts';
import { ACTIVE_STATUSES, canTransition, isActive, sourcesOf } from './stream-machine.ts';
import { snapshotOf, type ViewerCountEvent } from './stream-snapshot.ts';
import { SerialQueue } from './serial-queue.ts';
import type { CapacityView } from './capacity-view.ts';
import type { CameraHealth } from '../generated/prisma/enums.ts';

interface StreamTimings {
  readonly idleStopMs: number;
  readonly republishMs: number;
  readonly startTimeoutMs: number;
  readonly sweepMs: number;
}

export interface StreamControlDeps {
  readonly db: StreamingDb;
  readonly bus: EventBus;
  readonly presence: PresenceStore;
  readonly logger: Logger;
  readonly timings: StreamTimings;
  /** Ladder profile asked of the transcoder. */
  readonly profile?: string;
  /** Told when a stream moves to FAILED (streaming_stream_failures_total). */
  readonly onFailure?: () => void;
  /** The transcoders' reported headroom: a start is refused at once when none has room. */
  readonly capacity?: CapacityView;
  /** A camera's offline/online notifications to its farmer are at most one per this long (per kind). */
  readonly healthNotifyCooldownMs?: number;
}

const LIVE_PROFILE = 'live-hls-ladder';

/**
 * Owns every status change of streams: start/stop (farmers, on-demand playback, idle timeout), the transcoder's
 * LiveTranscodeStatus reports, the re-publishing of LiveTranscodeRequested while STARTING, viewer counts.
 * Each change is a conditional update (only from the statuses the machine allows), then a snapshot on
 * `topics.streamStatus(id)`; so replicas and re-delivered events never publish a change twice.
 */
export class StreamControl {
  readonly #lastCounts = new Map<string, number>();
  /** Changes of one stream run one at a time in this replica, so its status events leave in the order they happened. */
  readonly #perStream = new SerialQueue();
  #timers: NodeJS.Timeout[] = [];
  #busy = { sweep: false, republish: false };

  constructor(private readonly deps: StreamControlDeps) {}

  async #requestLadder(stream: Stream, camera: Camera, bus = this.deps.bus): Promise<void> {
    const request: LiveTranscodeRequested = {
      streamId: stream.id,
      cameraId: camera.id,
      farmId: camera.farmId,
      sourceUrl: camera.sourceUrl,
      profile: this.deps.profile ?? LIVE_PROFILE,
    };
    await bus.publish(topics.liveTranscodeRequested, request);
  }

  async #requestStop(streamId: string, bus = this.deps.bus): Promise<void> {
    const request: LiveTranscodeStopRequested = { streamId };
    await bus.publish(topics.liveTranscodeStopRequested, request);
  }

  /**
   * Moves a stream to `to` if the machine allows it from its current status; returns the row when it moved. What the
   * move asks of the transcoder (`announce`) is written to the outbox in the same transaction.
   */
  async #transition(
    id: string,
    to: StreamStatus,
    data: Omit<Prisma.StreamUpdateManyMutationInput, 'status'> = {},
    from = sourcesOf(to),
    announce?: (row: Stream, bus: EventBus) => Promise<void>,
  ): Promise<Stream | null> {
    let row: Stream | null;
    try {
      row = await inTransaction(this.deps.db, this.deps.bus, async (tx, bus) => {
        // One statement: the row returned is the one this change produced, whatever other replicas do meanwhile.
        const moved = await tx.stream.update({ where: { id, status: { in: from } }, data: { ...data, status: to } });
        await announce?.(moved, bus);
        await bus.publish(topics.streamStatus(moved.id), snapshotOf(moved));
        return moved;
      });
    } catch (error) {
      if ((error as { code?: string }).code === 'P2025') return null; // not in a status `to` may be reached from
      throw error;
    }
    if (to === 'FAILED') this.deps.onFailure?.();
    return row;
  }

  /** Starts a stream (idempotent while it runs). `onDemand` streams stop when nobody watches; farmer-started ones do not. */
  start(streamId: string, options: { onDemand: boolean }): Promise<Stream> {
    return this.#perStream.run(streamId, () => this.#start(streamId, options));
  }

  async #start(streamId: string, options: { onDemand: boolean }): Promise<Stream> {
    const { db } = this.deps;
    const stream = await db.stream.findUnique({ where: { id: streamId }, include: { camera: true } });
    if (!stream) throw notFound('Stream', streamId);
    if (!stream.camera.enabled) throw conflict('The camera is disabled');
    if (isActive(stream.status)) {
      if (!options.onDemand && stream.onDemand)
        return db.stream.update({ where: { id: streamId }, data: { onDemand: false } });
      const { camera: _camera, ...row } = stream;
      return row;
    }
    if (this.deps.capacity?.exhausted()) {
      throw capacityExhausted('No transcoder has room for another live stream right now; try again in a minute');
    }
    this.deps.capacity?.reserve();
    const moved = await this.#transition(
      streamId,
      'STARTING',
      {
        onDemand: options.onDemand,
        requestedAt: new Date(),
        jobId: null,
        masterPlaylistKey: null,
        renditions: [],
        lastError: null,
        startedAt: null,
        endedAt: null,
      },
      undefined,
      (row, bus) => this.#requestLadder(row, stream.camera, bus),
    );
    if (moved) {
      this.deps.logger.info({ streamId, onDemand: options.onDemand }, 'stream starting');
      return moved;
    }
    return db.stream.findUniqueOrThrow({ where: { id: streamId } }); // a concurrent caller started it
  }

  /** Stops a stream (idempotent): ENDED at once, and the transcoder is asked to stop its ladder. */
  stop(streamId: string, reason: string): Promise<Stream> {
    return this.#perStream.run(streamId, () => this.#stop(streamId, reason));
  }

  async #stop(streamId: string, reason: string): Promise<Stream> {
    const moved = await this.#transition(streamId, 'ENDED', { endedAt: new Date() }, undefined, (row, bus) =>
      this.#requestStop(row.id, bus),
    );
    if (moved) {
      this.deps.logger.info({ streamId, reason }, 'stream stopped');
      return moved;
    }
    const row = await this.deps.db.stream.findUnique({ where: { id: streamId } });
    if (!row) throw notFound('Stream', streamId);
    return row;
  }

  /** Applies one LiveTranscodeStatus report (idempotent; stale and impossible reports are ignored). */
  applyTranscodeStatus(event: LiveTranscodeStatus): Promise<void> {
    return this.#perStream.run(event.streamId, () => this.#applyTranscodeStatus(event));
  }

  async #applyTranscodeStatus(event: LiveTranscodeStatus): Promise<void> {
    const { db, logger } = this.deps;
    const stream = await db.stream.findUnique({ where: { id: event.streamId } });
    if (!stream) return;
    const at = new Date(event.at);
    if (event.status === 'ENDED' && event.masterPlaylistKey) await this.#record(stream, event, at);
    // Reports from before the current session was requested belong to an earlier ladder.
    if (stream.requestedAt && at < stream.requestedAt) return;
    await this.#applyHealth(stream, event);
    const ladder = {
      jobId: event.jobId,
      renditions: [...event.renditions],
      ...(event.masterPlaylistKey ? { masterPlaylistKey: event.masterPlaylistKey } : {}),
    };
    if (event.status === stream.status) {
      // Same status again (a re-sent report, or the ladder's details filled in): subscribers hear of it only when a
      // LIVE ladder's renditions change (players care); otherwise the details are stored silently, so every event
      // subscribers receive is a status change or a new live ladder.
      const renditionsChanged = stream.renditions.join() !== ladder.renditions.join();
      const errorChanged = event.status === 'RECONNECTING' && (event.error ?? null) !== stream.lastError;
      if ((renditionsChanged && event.status === 'LIVE') || errorChanged) {
        await this.#transition(
          stream.id,
          event.status,
          { ...ladder, ...(errorChanged ? { lastError: (event.error ?? '').slice(0, 500) || null } : {}) },
          [stream.status],
        );
      } else if (
        renditionsChanged ||
        stream.jobId !== ladder.jobId ||
        (ladder.masterPlaylistKey !== undefined && ladder.masterPlaylistKey !== stream.masterPlaylistKey)
      ) {
        await this.deps.db.stream.updateMany({ where: { id: stream.id, status: stream.status }, data: ladder });
      }
      return;
    }
    if (!canTransition(stream.status, event.status)) {
      logger.debug(
        { streamId: stream.id, from: stream.status, to: event.status },
        'ignored impossible stream transition',
      );
      // A ladder reports running for a stream nobody wants any more: ask again for it to stop. No change to commit:
      // written before the report is acknowledged, so a crash before it redelivers the report, which asks again.
      if (!isActive(stream.status) && isActive(event.status)) await this.#requestStop(stream.id);
      return;
    }
    const data: Omit<Prisma.StreamUpdateManyMutationInput, 'status'> = { ...ladder };
    if (event.status === 'LIVE' && stream.status === 'STARTING') data.startedAt = at;
    // lastError says why a stream is not playing: the transcoder's reason while it reconnects or after it failed.
    if (event.status === 'LIVE') data.lastError = null;
    if (event.status === 'RECONNECTING')
      data.lastError = (event.error ?? 'The camera dropped; reconnecting').slice(0, 500);
    if (event.status === 'FAILED') data.lastError = (event.error ?? 'The transcoder failed').slice(0, 500);
    if (event.status === 'ENDED' || event.status === 'FAILED') data.endedAt = at;
    await this.#transition(stream.id, event.status, data, [stream.status]);
  }

  /**
   * The camera's health follows what the transcoder sees of the camera itself (frames arrive, or it answers a probe),
   * not whether our encoding succeeds: a failing encoder leaves a camera ONLINE. Changes are published for the farm
   * (cameraHealthChanged) and the farmer is notified, with the reason, when a camera goes offline and comes back.
   */
  async #applyHealth(stream: Stream, event: LiveTranscodeStatus): Promise<void> {
    const health: CameraHealth | null =
      event.cameraOnline === true
        ? 'ONLINE'
        : event.cameraOnline === false
          ? 'OFFLINE'
          : event.status === 'LIVE'
            ? 'ONLINE'
            : null;
    if (!health) return;
    const before = await this.deps.db.camera.findUnique({ where: { id: stream.cameraId } });
    if (!before || before.health === health) return;
    // "Back online" only after "offline": a camera seen for the first time (UNKNOWN) is not news to its farmer.
    const notice =
      health === 'OFFLINE' || before.health === 'OFFLINE' ? await this.#healthNotice(before, health, event) : null;
    await inTransaction(this.deps.db, this.deps.bus, async (tx, bus) => {
      // Compare-and-set: of replicas that see the same change, one moves it (and publishes and notifies).
      const { count } = await tx.camera.updateMany({
        where: { id: before.id, health: before.health },
        data: { health },
      });
      if (!count) return;
      await bus.publish(topics.cameraHealth(before.farmId), { cameraId: before.id });
      if (!notice) return;
      this.#lastNotified.set(notice.key, notice.at);
      await bus.publish(topics.notificationRequested, notice.request);
    });
  }

  readonly #lastNotified = new Map<string, number>();

  /** The farmer's notice of a camera's new health, or null (no owner known, or one was sent within the cooldown). */
  async #healthNotice(
    before: Camera,
    health: CameraHealth,
    event: LiveTranscodeStatus,
  ): Promise<{ key: string; at: number; request: NotificationRequested } | null> {
    if (health === 'UNKNOWN') return null;
    const camera = { ...before, health };
    const owner = await this.deps.db.farmOwner.findUnique({ where: { farmId: camera.farmId } });
    if (!owner) return null;
    const cooldown = this.deps.healthNotifyCooldownMs ?? 300_000;
    const key = `${camera.id}:${health}`;
    const at = Date.parse(event.at);
    if (at - (this.#lastNotified.get(key) ?? 0) < cooldown) return null;
    const offline = health === 'OFFLINE';
    const reason = event.error ? `: ${event.error.slice(0, 200)}` : '';
    const request: NotificationRequested = {
      // One id per camera, state and cooldown window: replicas that both see the change notify once.
      eventId: `camera-health:${camera.id}:${health}:${Math.floor(at / cooldown)}`,
      userId: owner.ownerId,
      kind: 'stream',
      title: offline ? `Camera “${camera.name}” is offline` : `Camera “${camera.name}” is back online`,
      body: offline
        ? `No video from the camera${reason}. VegShare keeps reconnecting.`
        : 'Video from the camera arrives again.',
      link: `vegshare://cameras/${camera.id}`,
    };
    return { key, at, request };
  }

  async #record(stream: Stream, event: LiveTranscodeStatus, endedAt: Date): Promise<void> {
    const startedAt =
      (stream.jobId === event.jobId ? stream.startedAt : null) ?? stream.startedAt ?? stream.requestedAt ?? endedAt;
    try {
      await this.deps.db.recording.upsert({
        where: { jobId: event.jobId },
        update: {},
        create: {
          cameraId: stream.cameraId,
          streamId: stream.id,
          jobId: event.jobId,
          masterPlaylistKey: event.masterPlaylistKey ?? '',
          renditions: [...event.renditions],
          startedAt,
          endedAt,
        },
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error; // another replica recorded it first
    }
  }

  /** A viewer showed signs of life (heartbeat or playlist request); publishes the new count when they are new. */
  async noteViewer(streamId: string, viewerId: string): Promise<number> {
    const { isNew } = await this.deps.presence.touch(streamId, viewerId);
    const count = await this.deps.presence.count(streamId);
    if (isNew || this.#lastCounts.get(streamId) !== count) await this.#publishCount(streamId, count);
    return count;
  }

  async #publishCount(streamId: string, viewers: number): Promise<void> {
    this.#lastCounts.set(streamId, viewers);
    const event: ViewerCountEvent = { streamId, viewers };
    await this.deps.bus.publish(topics.viewerCount(streamId), event);
  }

  /** Re-publishes LiveTranscodeRequested for every STARTING stream; fails the ones that waited too long. */
  async republishStarting(now = Date.now()): Promise<void> {
    const starting = await this.deps.db.stream.findMany({ where: { status: 'STARTING' }, include: { camera: true } });
    for (const { camera, ...stream } of starting) {
      if (stream.requestedAt && now - stream.requestedAt.getTime() > this.deps.timings.startTimeoutMs) {
        await this.#perStream.run(stream.id, async () => {
          await this.#transition(
            stream.id,
            'FAILED',
            { lastError: 'The transcoder did not start the stream in time', endedAt: new Date(now) },
            ['STARTING'],
            (row, bus) => this.#requestStop(row.id, bus),
          );
        });
      } else {
        // No change to commit: the request is re-published every `republishMs` until the transcoder answers.
        await this.#requestLadder(stream, camera);
      }
    }
  }

  /** Publishes changed viewer counts and stops on-demand streams nobody watched for the idle time. */
  async sweep(now = Date.now()): Promise<void> {
    const active = await this.deps.db.stream.findMany({ where: { status: { in: [...ACTIVE_STATUSES] } } });
    const ids = [...new Set([...active.map((s) => s.id), ...this.#lastCounts.keys()])];
    const counts = await this.deps.presence.counts(ids, now);
    for (const id of ids) {
      const count = counts.get(id) ?? 0;
      if (this.#lastCounts.get(id) !== count) await this.#publishCount(id, count);
      if (count === 0 && !active.some((s) => s.id === id)) this.#lastCounts.delete(id);
    }
    for (const stream of active) {
      if (!stream.onDemand || (counts.get(stream.id) ?? 0) > 0) continue;
      const lastSeen = Math.max(
        (await this.deps.presence.lastSeen(stream.id)) ?? 0,
        stream.requestedAt?.getTime() ?? 0,
      );
      if (now - lastSeen > this.deps.timings.idleStopMs) await this.stop(stream.id, 'no viewers');
    }
  }

  startLoops(): void {
    const every = (ms: number, key: 'sweep' | 'republish', work: () => Promise<void>) =>
      setInterval(() => {
        if (this.#busy[key]) return;
        this.#busy[key] = true;
        work()
          .catch((err: unknown) => this.deps.logger.warn({ err }, `stream ${key} failed`))
          .finally(() => (this.#busy[key] = false));
      }, ms);
    this.#timers = [
      every(this.deps.timings.republishMs, 'republish', () => this.republishStarting()),
      every(this.deps.timings.sweepMs, 'sweep', () => this.sweep()),
    ];
    for (const t of this.#timers) t.unref();
  }

  stopLoops(): void {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
  }
}
