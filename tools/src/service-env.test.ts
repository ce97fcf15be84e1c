import { describe, expect, it } from 'vitest';
import { serviceEnv, servicePrefix } from './service-env.ts';

describe('serviceEnv', () => {
  const source = {
    LOG_LEVEL: 'debug',
    AUTH_LOG_LEVEL: 'warn',
    FFMPEG_PATH: '/opt/ffmpeg',
    USER: 'root',
    GATEWAY_SECRET: 'from-user-000000000',
    UNSET: undefined,
  };

  it('gives every service the plain variables and its own prefixed ones, which win', () => {
    expect(serviceEnv('auth', source)).toMatchObject({ LOG_LEVEL: 'warn', FFMPEG_PATH: '/opt/ffmpeg' });
    expect(serviceEnv('farm', source)).toMatchObject({ LOG_LEVEL: 'debug' });
    expect(serviceEnv('farm', source)).not.toHaveProperty('UNSET');
  });

  it('never strips a bare prefix word (USER is not a variable of the user service)', () => {
    expect(serviceEnv('user', source)['']).toBeUndefined();
  });

  it('puts derived defaults under the user’s values and wiring over them', () => {
    const env = serviceEnv(
      'auth',
      { APP_URL: 'https://app.example', PORT: '1' },
      { defaults: { APP_URL: 'http://lan:8081', S3_BUCKET: 'vegshare' }, wiring: { PORT: '4001' } },
    );
    expect(env).toMatchObject({ APP_URL: 'https://app.example', S3_BUCKET: 'vegshare', PORT: '4001' });
    expect(serviceEnv('auth', { AUTH_PORT: '9' }, { wiring: { PORT: '4001' } })['PORT']).toBe('4001');
  });

  it('derives prefixes from service names', () => {
    expect(servicePrefix('transcoding')).toBe('TRANSCODING_');
    expect(servicePrefix('my-service')).toBe('MY_SERVICE_');
  });
});
