/**
 * The bench's HTTP client for the storms: JSON POSTs on node:http keep-alive sockets, one per closed loop. The client
 * runs on the cores it measures, so its CPU per request is taken from the server's: the global fetch (undici behind
 * WHATWG streams and Response objects) cost about 2.6 ms of CPU per login, more than the gateway's share of one.
 */
import { Agent, request } from 'node:http';

export interface JsonClient {
  post(body: unknown): Promise<unknown>;
  close(): void;
}

export function jsonClient(endpoint: string, sockets: number): JsonClient {
  const url = new URL(endpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const options = { host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', agent };
  return {
    post(body) {
      const payload = JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const req = request(
          { ...options, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('error', reject);
            res.on('end', () => {
              try {
                resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
              } catch (error) {
                reject(error as Error);
              }
            });
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}
