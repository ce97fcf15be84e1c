import { describe, expect, it } from 'vitest';
import { isLoopbackHost, publicOrigins } from './public-origins.ts';

describe('public origins', () => {
  it('knows which hosts only this machine reaches', () => {
    for (const host of ['localhost', 'LOCALHOST', 'app.localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]'])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['192.168.1.20', '10.0.0.5', 'mybox.local', 'fd00::2', '0.0.0.0'])
      expect(isLoopbackHost(host), host).toBe(false);
  });

  it('builds every client-facing origin from PUBLIC_HOST', () => {
    expect(publicOrigins({ host: '192.168.1.20', gatewayPort: 4000, s3Port: 4569, appPort: 8081 })).toEqual({
      gateway: 'http://192.168.1.20:4000',
      s3: 'http://192.168.1.20:4569',
      app: 'http://192.168.1.20:8081',
    });
    expect(publicOrigins({ host: 'fd00::2', gatewayPort: 4000, s3Port: null, appPort: 8081 })).toEqual({
      gateway: 'http://[fd00::2]:4000',
      s3: null,
      app: 'http://[fd00::2]:8081',
    });
  });
});
