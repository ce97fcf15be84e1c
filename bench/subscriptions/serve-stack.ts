// The embedded stack in one process (every subgraph and the gateway, as `npm start` runs it) on the database the
// benchmark migrated and seeded (BENCH_DATABASE_URL): what the subscription benchmark measures, one fresh process per
// mix. Announces its URLs over IPC; stopped with SIGTERM.
import { freePort } from '@vegshare/tools/ports';
import { startStack } from '@vegshare/tools/stack';
import { startLocalS3 } from '@vegshare/tools/testing/s3';
import { answerMemoryRequests, keyValuePairs, required } from '../gateway/child.ts';

const s3 = await startLocalS3();
const metricsPort = await freePort();
const stack = await startStack({
  databaseUrl: required('BENCH_DATABASE_URL'),
  env: {
    ...s3.env,
    ...Object.fromEntries(keyValuePairs(process.env['BENCH_GATEWAY_ENV'] ?? '')),
  },
  // The bench registers its signed-in viewers from one address.
  envFor: (service) =>
    service === 'auth'
      ? { REGISTER_IP_LIMIT: '100000', LOGIN_IP_LIMIT: '100000' }
      : service === 'gateway'
        ? { METRICS_PORT: String(metricsPort) }
        : {},
  logLevel: 'warn',
});
answerMemoryRequests();
process.send?.({
  ready: true,
  url: stack.gatewayUrl,
  endpoint: `${stack.gatewayUrl}/graphql`,
  metricsUrl: `http://127.0.0.1:${metricsPort}`,
});

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void (async () => {
    await stack.stop();
    await s3.stop();
    process.exit(0);
  })();
});
