import { inTransaction, type EventBus } from '@vegshare/kit';
import type { TranscodingDb } from '../../db.ts';
import type { Prisma, TranscodeJob as TranscodeJobRow, TranscodeJobStatus } from '../../generated/prisma/client.ts';
import { publishJob } from './job-events.ts';

export const ACTIVE_STATUSES: readonly TranscodeJobStatus[] = ['QUEUED', 'RUNNING', 'RECONNECTING'];
export const isActive = (status: TranscodeJobStatus): boolean => ACTIVE_STATUSES.includes(status);

/** Job row updates that publish the new state on the job's topic. */
export class JobStore {
  constructor(
    readonly db: TranscodingDb,
    readonly bus: EventBus,
  ) {}

  /**
   * Updates the job only while its status is one of `onlyIf` (default: active); null when it is not (cancelled, gone).
   * `announce` publishes what the update means for other services on the bus it is given: written to the outbox in the
   * update's transaction.
   */
  update(
    id: string,
    data: Prisma.TranscodeJobUpdateManyMutationInput,
    onlyIf: readonly TranscodeJobStatus[] = ACTIVE_STATUSES,
    announce?: (row: TranscodeJobRow, bus: EventBus) => Promise<void>,
  ): Promise<TranscodeJobRow | null> {
    return inTransaction(this.db, this.bus, async (tx, bus) => {
      const { count } = await tx.transcodeJob.updateMany({ where: { id, status: { in: [...onlyIf] } }, data });
      if (count === 0) return null;
      const row = await tx.transcodeJob.findUnique({ where: { id } });
      if (!row) return null;
      await publishJob(bus, row);
      await announce?.(row, bus);
      return row;
    });
  }

  /** Progress figures only (no status change), published like any update. */
  progress(
    id: string,
    data: { fps: number | null; speed: number | null; processedMs: number | null; bitrateKbps: number | null },
  ): Promise<TranscodeJobRow | null> {
    return this.update(id, data);
  }
}
