// A local server speaking the Expo push API's documented protocol (POST /--/api/v2/push/send with up to 100 messages,
// gzip-encoded bodies, tickets in `data`; POST /--/api/v2/push/getReceipts with `ids`, receipts by id; errors as
// `{ errors: [{ code, message }] }`), recording what it was sent. Tests tell it which tokens are dead and which requests
// to refuse, as the real service would for uninstalled apps and overload.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

interface SentMessage {
  readonly to: string;
  readonly title?: string;
  readonly body?: string;
  readonly data?: Record<string, unknown>;
  readonly sound?: string;
  readonly priority?: string;
  readonly channelId?: string;
}

export interface ExpoPushServer {
  readonly url: string;
  /** Every accepted send request, in order, each with its messages. */
  readonly sendRequests: SentMessage[][];
  /** Every getReceipts request's ids. */
  readonly receiptRequests: string[][];
  /** Tokens answered with a DeviceNotRegistered ticket. */
  readonly deadAtSend: Set<string>;
  /** Tokens whose ticket is ok but whose receipt says DeviceNotRegistered. */
  readonly deadAtReceipt: Set<string>;
  /** Refuse the next `count` send requests with this HTTP status (e.g. 503, or 429 which the SDK itself retries). */
  failNextSends(count: number, status: number): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const text = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  return JSON.parse(text) as unknown;
}

export async function startExpoPushServer(): Promise<ExpoPushServer> {
  const sendRequests: SentMessage[][] = [];
  const receiptRequests: string[][] = [];
  const deadAtSend = new Set<string>();
  const deadAtReceipt = new Set<string>();
  const tickets = new Map<string, string>(); // ticket id → token
  let failures: { count: number; status: number } = { count: 0, status: 503 };

  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST') return reply(405, { errors: [{ code: 'METHOD_NOT_ALLOWED', message: 'POST only' }] });
    readBody(req)
      .then((body) => {
        if (req.url === '/--/api/v2/push/send') {
          if (failures.count > 0) {
            failures = { ...failures, count: failures.count - 1 };
            return reply(failures.status, {
              errors: [
                {
                  code: failures.status === 429 ? 'RATE_LIMIT_EXCEEDED' : 'SERVICE_UNAVAILABLE',
                  message: 'try again later',
                },
              ],
            });
          }
          const messages = (Array.isArray(body) ? body : [body]) as SentMessage[];
          if (messages.length > 100)
            return reply(400, {
              errors: [{ code: 'PUSH_TOO_MANY_NOTIFICATIONS', message: 'at most 100 messages per request' }],
            });
          sendRequests.push(messages);
          const data = messages.map((m) => {
            if (deadAtSend.has(m.to)) {
              return {
                status: 'error',
                message: `"${m.to}" is not a registered push notification recipient`,
                details: { error: 'DeviceNotRegistered', expoPushToken: m.to },
              };
            }
            const id = randomUUID();
            tickets.set(id, m.to);
            return { status: 'ok', id };
          });
          return reply(200, { data });
        }
        if (req.url === '/--/api/v2/push/getReceipts') {
          const ids = ((body as { ids?: unknown }).ids ?? []) as string[];
          receiptRequests.push(ids);
          const data: Record<string, unknown> = {};
          for (const id of ids) {
            const token = tickets.get(id);
            if (!token) continue;
            data[id] = deadAtReceipt.has(token)
              ? {
                  status: 'error',
                  message: 'The device cannot receive push notifications anymore',
                  details: { error: 'DeviceNotRegistered', expoPushToken: token },
                }
              : { status: 'ok' };
          }
          return reply(200, { data });
        }
        return reply(404, { errors: [{ code: 'NOT_FOUND', message: 'unknown path' }] });
      })
      .catch(() => reply(400, { errors: [{ code: 'VALIDATION_ERROR', message: 'bad JSON' }] }));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sendRequests,
    receiptRequests,
    deadAtSend,
    deadAtReceipt,
    failNextSends(count, status) {
      failures = { count, status };
    },
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
