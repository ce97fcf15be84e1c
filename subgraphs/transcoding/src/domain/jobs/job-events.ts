import type { EventBus, LiveTranscodeStatus } from '@vegshare/kit';
import { eventTopics, topics } from '@vegshare/kit';
import type { TranscodeJob as TranscodeJobRow } from '../../generated/prisma/client.ts';

/** Internal topic: the service tells worker processes to cancel or stop a running job. */
export const controlTopic = 'transcoding.control';
export interface ControlMessage {
  readonly type: 'cancel' | 'stop';
  readonly jobId: string;
}

export type JobEventPayload = {
  readonly [K in keyof TranscodeJobRow]: TranscodeJobRow[K] extends Date
    ? string
    : TranscodeJobRow[K] extends Date | null
      ? string | null
      : TranscodeJobRow[K];
};

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
  return bus.publish(eventTopics.liveTranscodeStatus, payload);
}
