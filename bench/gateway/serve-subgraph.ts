/** One subgraph in its own process: `serve-subgraph.ts <name>`; environment as in production (DATABASE_URL, S3_*, GATEWAY_SECRET…). */
import { createLogger } from '@vegshare/kit';
import { loadService } from '@vegshare/tools/services';
import { announce, fail } from './child.ts';

const name = process.argv[2];
if (!name) fail('serve-subgraph', new Error('usage: serve-subgraph.ts <name>'));
try {
  const service = await loadService(name);
  const env: Record<string, string | undefined> = { ...process.env, PORT: '0' };
  const running = await service.start(service.loadConfig(env), {
    logger: createLogger(name, (process.env['LOG_LEVEL'] ?? 'warn') as 'warn'),
  });
  announce(running.url, `${running.url}/graphql`, () => running.stop(1000), running.metricsUrl);
} catch (error) {
  fail(`subgraph ${name}`, error);
}
