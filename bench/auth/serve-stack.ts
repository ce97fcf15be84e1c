// The embedded stack in one process (every subgraph and the gateway, as `npm start` runs them) on the database the
// benchmark created (BENCH_DATABASE_URL), unseeded: the bench registers its own users. The loop probe of
// loop-probe.ts reads the event-loop delay of that one process (auth shares its loop with every other service).
// Announces its URLs over IPC; stopped with SIGTERM.
import { startStack } from '@vegshare/tools/stack';
import { startLocalS3 } from '@vegshare/tools/testing/s3';
import { announce, fail, required } from '../gateway/child.ts';
import { startLoopProbe } from './loop-probe.ts';

try {
  const probe = await startLoopProbe();
  const s3 = await startLocalS3();
  const stack = await startStack({
    databaseUrl: required('BENCH_DATABASE_URL'),
    env: s3.env,
    // Every login comes from the bench's one address: the per-IP limits must not be what is measured.
    // Its hashes at once as the bench measures the bound with (run.ts passes PASSWORD_HASH_CONCURRENCY).
    envFor: (service) =>
      service === 'auth'
        ? {
            LOGIN_IP_LIMIT: '100000000',
            REGISTER_IP_LIMIT: '100000000',
            PASSWORD_HASH_CONCURRENCY: required('PASSWORD_HASH_CONCURRENCY'),
          }
        : {},
    logLevel: 'warn',
  });
  announce(
    stack.gatewayUrl,
    `${stack.gatewayUrl}/graphql`,
    async () => {
      await stack.stop();
      await s3.stop();
      await probe.stop();
    },
    probe.url,
  );
} catch (error) {
  fail('auth bench stack', error);
}
