import type { EventBus } from '@vegshare/kit';
import type { TranscodingDb } from '../db.ts';
import type { Prisma, TranscodeJob as TranscodeJobRow, TranscodeJobStatus } from '../generated/prisma/client.ts';
import { publishJob } from './job-events.ts';

export const ACTIVE_STATUSES: readonly TranscodeJobStatus[] = ['QUEUED', 'RUNNING', 'RECONNECTING'];
export const isActive = (status: TranscodeJobStatus): boolean => ACTIVE_STATUSES.includes(status);

/** Job row updates that publish the new state on the job's topic. */
export class JobStore {
  constructor(
    readonly db: TranscodingDb,
    readonly bus: EventBus,
  ) {}

  /** Updates the job only while its status is one of `onlyIf` (default: active); null when it is not (cancelled, gone). */
  async update(
    id: string,
    data: Prisma.TranscodeJobUpdateManyMutationInput,
    onlyIf: readonly TranscodeJobStatus[] = ACTIVE_STATUSES,
  ): Promise<TranscodeJobRow | null> {
    const { count } = await this.db.transcodeJob.updateMany({ where: { id, status: { in: [...onlyIf] } }, data });
    if (count === 0) return null;
    const row = await this.db.transcodeJob.findUnique({ where: { id } });
    if (row) await publishJob(this.bus, row);
    return row;
  }

  /** Progress figures only (no status change), published like any update. */
  progress(
    id: string,
    data: { fps: number | null; speed: number | null; processedMs: number | null; bitrateKbps: number | null },
  ): Promise<TranscodeJobRow | null> {
    return this.update(id, data);
  }
}
