export { startGateway, type RunningGateway, type GatewayDeps } from './gateway.ts';
export { loadGatewayConfig, type GatewayConfig } from './env.ts';
