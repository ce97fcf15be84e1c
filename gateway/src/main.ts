import { runAsProcess } from '@vegshare/kit/gateway';
import { loadGatewayConfig } from './env.ts';
import { startGateway } from './gateway.ts';

await runAsProcess('gateway', () => startGateway(loadGatewayConfig()));
