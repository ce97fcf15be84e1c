// The auth subgraph alone in its own process, as production runs it (`npm run start -w @vegshare/auth`), configured
// through its environment (DATABASE_URL, GATEWAY_SECRET, the limits…) with the loop probe of loop-probe.ts.
// Announces its URL and the probe's over IPC; stopped with SIGTERM.
import { createLogger } from '@vegshare/kit';
import { loadAuthConfig, startAuthService } from '@vegshare/auth';
import { announce, fail } from '../gateway/child.ts';
import { startLoopProbe } from './loop-probe.ts';

try {
  const probe = await startLoopProbe();
  const running = await startAuthService(loadAuthConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1' }), {
    logger: createLogger('auth', (process.env['LOG_LEVEL'] ?? 'warn') as 'warn'),
  });
  announce(
    running.url,
    `${running.url}/graphql`,
    async () => {
      await running.stop(1000);
      await probe.stop();
    },
    probe.url,
  );
} catch (error) {
  fail('auth bench: auth', error);
}
