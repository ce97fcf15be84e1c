import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { loadTranscodingConfig, loadWorkerConfig } from '../src/env.ts';

const valid = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1/x',
  S3_ENDPOINT: 'http://127.0.0.1:9000',
  S3_ACCESS_KEY: 'k',
  S3_SECRET_KEY: 's',
  S3_BUCKET: 'vegshare',
};

describe('transcoding config', () => {
  it('reports every missing or bad variable in one line', () => {
    expect(() => loadTranscodingConfig({ WORKER_CONCURRENCY: '0', X264_PRESET: 'placebo' })).toThrow(
      /^Invalid configuration: .*DATABASE_URL: required.*S3_ENDPOINT: required.*WORKER_CONCURRENCY: .*X264_PRESET: /,
    );
    expect(() => loadTranscodingConfig({ ...valid, TIMELAPSE_AT: '25:00' })).toThrow('TIMELAPSE_AT: expected HH:MM');
  });

  it('defaults to the embedded mode: workers in process admitting by a CPU budget of 90 % of the cores, no Redis', () => {
    const config = loadTranscodingConfig(valid);
    // Concurrency is only a ceiling: what a worker admits is decided by measured CPU within the budget.
    expect(config).toMatchObject({
      PORT: 4005,
      RUN_WORKERS: true,
      WORKER_CONCURRENCY: 32,
      CPU_BUDGET_CORES: Math.max(0.5, availableParallelism() * 0.9),
      HLS_SEGMENT_SECONDS: 2,
      JOB_ATTEMPTS: 3,
    });
    expect(config).toMatchObject({
      LIVE_SEGMENT_SECONDS: 2,
      LIVE_PART_SECONDS: 0.5,
      LIVE_STALL_MS: 3_000,
      LIVE_PASSTHROUGH: true,
      LIVE_ADMISSION_WAIT_MS: 8_000,
      BATCH_NICENESS: 10,
    });
    expect(config).toMatchObject({
      SNAPSHOT_INTERVAL_SECONDS: 60,
      RECORDING_RETENTION_HOURS: 72,
      SNAPSHOT_RETENTION_DAYS: 7,
      VOD_UPLOAD_MAX_BYTES: 2 * 1024 ** 3,
      PLAYBACK_URL_TTL_SECONDS: 120,
    });
    // Without the streaming service's key, VOD outputs get no playback URLs (nothing signs them).
    expect(config.PLAYBACK_SIGNING_SECRET).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
    expect(loadTranscodingConfig({ ...valid, CPU_BUDGET_CORES: '0.25', WORKER_CONCURRENCY: '4' })).toMatchObject({
      CPU_BUDGET_CORES: 0.25,
      WORKER_CONCURRENCY: 4,
    });
  });

  it('refuses budgets, part and segment lengths, grant and upload limits outside their ranges', () => {
    const bad: [string, string][] = [
      ['CPU_BUDGET_CORES', '0'],
      ['CPU_BUDGET_CORES', '-1'],
      ['CPU_BUDGET_CORES', '2000'],
      ['LIVE_SEGMENT_SECONDS', '0.2'],
      ['LIVE_SEGMENT_SECONDS', '11'],
      ['LIVE_PART_SECONDS', '0.05'],
      ['LIVE_PART_SECONDS', '3'],
      ['BATCH_NICENESS', '20'],
      ['LIVE_X264_PRESET', 'placebo'],
      ['PLAYBACK_URL_TTL_SECONDS', '301'],
      ['PLAYBACK_SIGNING_SECRET', 'short'],
      ['VOD_UPLOAD_URL_TTL_SECONDS', '30'],
      ['VOD_UPLOAD_MAX_BYTES', '0'],
    ];
    for (const [name, value] of bad)
      expect(() => loadTranscodingConfig({ ...valid, [name]: value }), `${name}=${value}`).toThrow(
        new RegExp(`${name}: `),
      );
  });

  it('refuses a separate worker process without Redis', () => {
    expect(() => loadWorkerConfig(valid)).toThrow('REDIS_URL: required for a separate worker process');
    const worker = loadWorkerConfig({ ...valid, REDIS_URL: 'redis://127.0.0.1:6379', CPU_BUDGET_CORES: '1.5' });
    expect(worker).toMatchObject({ REDIS_URL: 'redis://127.0.0.1:6379', CPU_BUDGET_CORES: 1.5 });
    // A worker process does not sign URLs or take uploads: those settings are the service's.
    expect('VOD_UPLOAD_MAX_BYTES' in worker).toBe(false);
  });
});
