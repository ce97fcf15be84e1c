import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { loadTranscodingConfig, loadWorkerConfig } from '../src/env.ts';

const valid = { DATABASE_URL: 'postgresql://postgres@127.0.0.1/x', S3_ENDPOINT: 'http://127.0.0.1:9000', S3_ACCESS_KEY: 'k', S3_SECRET_KEY: 's', S3_BUCKET: 'vegshare' };

describe('transcoding config', () => {
  it('reports every missing or bad variable in one line', () => {
    expect(() => loadTranscodingConfig({ WORKER_CONCURRENCY: '0', X264_PRESET: 'placebo' })).toThrow(
      /^Invalid configuration: .*DATABASE_URL: required.*S3_ENDPOINT: required.*WORKER_CONCURRENCY: .*X264_PRESET: /,
    );
    expect(() => loadTranscodingConfig({ ...valid, TIMELAPSE_AT: '25:00' })).toThrow('TIMELAPSE_AT: expected HH:MM');
  });

  it('defaults to the embedded mode: workers in process, concurrency = cores, no Redis', () => {
    const config = loadTranscodingConfig(valid);
    expect(config).toMatchObject({ PORT: 4005, RUN_WORKERS: true, WORKER_CONCURRENCY: availableParallelism(), HLS_SEGMENT_SECONDS: 2, JOB_ATTEMPTS: 3 });
    expect(config.REDIS_URL).toBeUndefined();
  });

  it('refuses a separate worker process without Redis', () => {
    expect(() => loadWorkerConfig(valid)).toThrow('REDIS_URL: required for a separate worker process');
    expect(loadWorkerConfig({ ...valid, REDIS_URL: 'redis://127.0.0.1:6379' }).REDIS_URL).toBe('redis://127.0.0.1:6379');
  });
});
