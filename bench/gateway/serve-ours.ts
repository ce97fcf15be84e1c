/** Our gateway (gateway/src) in its own process, configured only through its environment like in production. */
import { loadGatewayConfig, startGateway } from '@vegshare/gateway';
import { announce, fail } from './child.ts';

try {
  const gateway = await startGateway(loadGatewayConfig({ ...process.env, PORT: '0' }));
  announce(gateway.url, `${gateway.url}/graphql`, () => gateway.stop(1000));
} catch (error) {
  fail('gateway ours', error);
}
