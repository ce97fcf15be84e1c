import { Gauge } from 'prom-client';
import type { ServiceMetrics } from '@vegshare/kit';
import type { TranscodingDb } from '../../db.ts';

const STATES = { QUEUED: 'waiting', RUNNING: 'active' } as const;

/**
 * `transcoding_queue_jobs{state="waiting"|"active"}` read from the job table at scrape time, so every replica reports
 * the same cluster-wide depth whatever queue backend runs the jobs (alerts and dashboards use it).
 */
export function registerQueueDepthMetric(metrics: ServiceMetrics, db: TranscodingDb): void {
  new Gauge({
    name: 'transcoding_queue_jobs',
    help: 'Transcode jobs waiting or running, by state',
    labelNames: ['state'],
    registers: [metrics.registry],
    async collect() {
      const rows = await db.transcodeJob.groupBy({
        by: ['status'],
        where: { status: { in: ['QUEUED', 'RUNNING'] } },
        _count: { _all: true },
      });
      this.set({ state: STATES.QUEUED }, 0);
      this.set({ state: STATES.RUNNING }, 0);
      for (const row of rows) {
        const state = STATES[row.status as keyof typeof STATES];
        if (state) this.set({ state }, row._count._all);
      }
    },
  });
}
