// Build configuration rules of app.config.ts: production builds need an https API; deep-link hosts and schemes.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigContext } from 'expo/config';
import { afterEach, describe, expect, it, vi } from 'vitest';

const appRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** What Expo's CLI hands app.config.ts when there is no app.json beside it. */
const context: ConfigContext = {
  projectRoot: appRoot,
  staticConfigPath: null,
  packageJsonPath: join(appRoot, 'package.json'),
  config: {},
};

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  vi.resetModules();
});

async function load(env: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  vi.resetModules();
  const { default: appConfig } = await import('../../app.config');
  return appConfig(context);
}

describe('app.config', () => {
  it('stops a production build without an https API URL', async () => {
    await expect(load({ APP_ENV: 'production', EXPO_PUBLIC_GRAPHQL_URL: undefined })).rejects.toThrow(/https/);
    await expect(
      load({ APP_ENV: 'production', EXPO_PUBLIC_GRAPHQL_URL: 'http://api.vegshare.app/graphql' }),
    ).rejects.toThrow(/https/);
  });

  it('builds production with https, the vegshare scheme and verified links for the link host', async () => {
    const config = await load({
      APP_ENV: 'production',
      EXPO_PUBLIC_GRAPHQL_URL: 'https://api.vegshare.app/graphql',
      APP_LINK_HOST: 'links.example.org',
    });
    expect(config['scheme']).toBe('vegshare');
    expect(config['userInterfaceStyle']).toBe('automatic');
    expect(JSON.stringify(config['ios'])).toContain('applinks:links.example.org');
    expect(JSON.stringify(config['android'])).toMatch(/"autoVerify":true.*"host":"links.example.org"/);
  });
});
