import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('streaming as a process', () => {
  it('exits 1 with one line naming every bad variable when the configuration is wrong', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        `${root}node_modules/.bin/tsx`,
        ['subgraphs/streaming/src/main.ts'],
        {
          cwd: root,
          env: { PATH: process.env['PATH'] ?? '', DATABASE_URL: 'mysql://nope', PLAYBACK_URL_TTL_SECONDS: '900' },
          timeout: 30_000,
        },
        (error, _stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr });
        },
      );
    });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^streaming: Invalid configuration: DATABASE_URL: expected a postgres:\/\/ URL; .*S3_ENDPOINT: required.*PLAYBACK_URL_TTL_SECONDS/,
    );
  });
});
