import type { TranscodingDb } from '../../db.ts';
import type { SegmentLog } from '../hls/rendition-output.ts';
import type { Segment } from '../hls/timeline.ts';

/** The segments of one live job, in Postgres (live_segment). Appends are idempotent per (job, rendition, msn). */
export function segmentLogOf(db: TranscodingDb, jobId: string): SegmentLog {
  return {
    async lastMsn(rendition) {
      const row = await db.liveSegment.findFirst({
        where: { jobId, rendition },
        orderBy: { msn: 'desc' },
        select: { msn: true },
      });
      return row?.msn ?? null;
    },
    async append(rendition, segment) {
      await db.liveSegment.upsert({
        where: { jobId_rendition_msn: { jobId, rendition, msn: segment.msn } },
        create: {
          jobId,
          rendition,
          msn: segment.msn,
          duration: segment.duration,
          programDateTime: segment.programDateTime,
          discontinuity: segment.discontinuity,
          map: segment.map,
          independent: segment.independent,
        },
        update: {},
      });
    },
    async all(rendition) {
      const rows = await db.liveSegment.findMany({ where: { jobId, rendition }, orderBy: { msn: 'asc' } });
      return rows.map((r): Segment => ({
        msn: r.msn,
        programDateTime: r.programDateTime,
        discontinuity: r.discontinuity,
        map: r.map,
        independent: r.independent,
        parts: [],
        partsListable: false,
        duration: r.duration,
        complete: true,
      }));
    },
  };
}
