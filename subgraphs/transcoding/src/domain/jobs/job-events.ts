import type { EventBus, LiveTranscodeStatus, TranscodeJobEvent } from '@vegshare/kit';
import { topics } from '@vegshare/kit';
import type { TranscodeJob as TranscodeJobRow } from '../../generated/prisma/client.ts';

/** The job row on the wire: what the kit's `TranscodeJobEvent` (the payload of `topics.transcodeJob(id)`) must be. */
type JobRowAsJson = {
  readonly [K in keyof TranscodeJobRow]: TranscodeJobRow[K] extends Date
    ? string
    : TranscodeJobRow[K] extends Date | null
      ? string | null
      : TranscodeJobRow[K];
};
/** Compile-time check: the contract is exactly the row as JSON (a column added to the job must be added there). */
const JOB_EVENT_MATCHES_ROW: [JobRowAsJson] extends [TranscodeJobEvent]
  ? [TranscodeJobEvent] extends [JobRowAsJson]
    ? true
    : never
  : never = true;
export type JobEventPayload = TranscodeJobEvent;

const dateFields = ['createdAt', 'updatedAt', 'startedAt', 'finishedAt', 'stopRequestedAt'] as const;

/** The job row as it travels on `topics.transcodeJob(id)` (JSON: dates as ISO strings). */
export const jobToEvent = (row: TranscodeJobRow): JobEventPayload => JSON.parse(JSON.stringify(row)) as JobEventPayload;

export function jobFromEvent(payload: JobEventPayload): TranscodeJobRow {
  const row = { ...payload } as unknown as Record<string, unknown>;
  for (const f of dateFields) {
    const v = row[f];
    row[f] = typeof v === 'string' ? new Date(v) : null;
  }
  return row as unknown as TranscodeJobRow;
}

export const publishJob = (bus: EventBus, row: TranscodeJobRow): Promise<void> =>
  bus.publish(topics.transcodeJob(row.id), jobToEvent(row));

export interface LiveStatusReport {
  readonly status: LiveTranscodeStatus['status'];
  readonly renditions: readonly string[];
  readonly error?: string | null;
  readonly cameraOnline?: boolean | null;
}

/** Tells streaming what a live job is doing; the master playlist key is the job's own (null until it has one). */
export function publishLiveStatus(bus: EventBus, row: TranscodeJobRow, report: LiveStatusReport): Promise<void> {
  if (!row.streamId) return Promise.resolve();
  const payload: LiveTranscodeStatus = {
    streamId: row.streamId,
    jobId: row.id,
    status: report.status,
    masterPlaylistKey: report.status === 'STARTING' ? null : row.masterPlaylistKey,
    renditions: report.renditions,
    error: report.error ?? null,
    at: new Date().toISOString(),
    cameraOnline: report.cameraOnline ?? null,
  };
  return bus.publish(topics.liveTranscodeStatus, payload);
}
