// The floor: a plain single-schema graphql-ws server (graphql-js + graphql-ws, no federation, no auth), answering the
// same subscription from memory. Each client's subscription runs its own execution and serialisation, as a plain
// server does. POST /toggle publishes one status change (updatedAt = now). Announces its URL over IPC.
import { createServer } from 'node:http';
import { Repeater } from '@repeaterjs/repeater';
import { buildSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { answerMemoryRequests } from '../gateway/child.ts';

const schema = buildSchema(`
  enum StreamStatus { IDLE STARTING LIVE RECONNECTING ENDED FAILED }
  type Farm { id: ID! name: String! }
  type Camera { id: ID! name: String! farm: Farm! }
  type Stream { id: ID! status: StreamStatus! updatedAt: String! camera: Camera! }
  type Query { ok: Boolean! }
  type Subscription { streamStatusChanged(streamId: ID!): Stream! }
`);
const farm = { id: 'farm-1', name: 'Green Acres' };
const camera = { id: 'camera-1', name: 'Green Acres overview', farm };
type Snapshot = { id: string; status: string; updatedAt: string; camera: typeof camera };

const listeners = new Set<(s: Snapshot) => void>();
let live = false;
const rootValue = {
  ok: true,
  streamStatusChanged: ({ streamId }: { streamId: string }) =>
    new Repeater<{ streamStatusChanged: Snapshot }>(async (push, stop) => {
      const listener = (s: Snapshot) => void (s.id === streamId && push({ streamStatusChanged: s }));
      listeners.add(listener);
      await stop;
      listeners.delete(listener);
    }),
};

const server = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/toggle') {
    live = !live;
    const snapshot: Snapshot = {
      id: 'stream-1',
      status: live ? 'STARTING' : 'ENDED',
      updatedAt: new Date().toISOString(),
      camera,
    };
    for (const l of listeners) l(snapshot);
    res.end('ok');
    return;
  }
  res.statusCode = 404;
  res.end();
});
const wss = new WebSocketServer({ server, path: '/graphql' });
useServer({ schema, roots: { subscription: rootValue, query: rootValue } }, wss);
answerMemoryRequests();
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  process.send?.({ ready: true, url, endpoint: `${url}/graphql` });
});
process.on('SIGTERM', () => {
  for (const c of wss.clients) c.terminate();
  server.close(() => process.exit(0));
});
