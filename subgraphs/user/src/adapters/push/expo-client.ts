import { Agent, type Dispatcher } from 'undici';
import { Expo } from 'expo-server-sdk';

/**
 * The Expo push client (batching, gzip, 429 retries, receipts) sending to `baseUrl` instead of the built-in
 * https://exp.host: an undici dispatcher rewrites the origin of every request, so the endpoint is configuration
 * (read in env.ts) and tests talk to a local server speaking the same protocol.
 */
export function createExpoClient(options: { baseUrl: string; accessToken?: string | undefined }): {
  expo: Expo;
  close(): Promise<void>;
} {
  const base = new URL(options.baseUrl);
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  const prefix = base.pathname.replace(/\/$/, '');
  const redirect: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) =>
    dispatch({ ...opts, origin: base.origin, path: `${prefix}${opts.path}` }, handler);
  const dispatcher = agent.compose(redirect);
  const expo = new Expo({
    httpAgent: dispatcher,
    maxConcurrentRequests: 4,
    ...(options.accessToken ? { accessToken: options.accessToken } : {}),
  });
  return { expo, close: () => agent.close() };
}
