// One client process: opens graphql-ws connections (one per token given, anonymous for null), subscribes each to the
// stream, and records for every event arrival − updatedAt. Driven over IPC by run.ts; it never shares a process with
// the server it measures.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface ClientsStart {
  readonly type: 'start';
  readonly endpoint: string;
  readonly query: string;
  readonly variables: Record<string, unknown>;
  /** One entry per connection: its bearer token, or null for an anonymous connection. */
  readonly tokens: readonly (string | null)[];
  /** The farm name every event must carry. */
  readonly expectedFarm: string;
}
export type ClientsCommand = ClientsStart | { readonly type: 'report' } | { readonly type: 'stop' };
export type ClientsMessage =
  | { readonly type: 'subscribed'; readonly connections: number }
  | {
      readonly type: 'report';
      readonly latencies: number[];
      readonly events: number[];
      readonly wrong: number;
      readonly errors: number;
    };

type Event = {
  data?: { streamStatusChanged?: { updatedAt: string; camera: { farm: { name: string } } } } | null | undefined;
  errors?: readonly unknown[] | undefined;
};

const clients: Client[] = [];
let latencies: number[] = [];
let events: number[] = [];
let wrong = 0;
let errors = 0;
const send = (message: ClientsMessage) => process.send?.(message);

async function start(command: ClientsStart): Promise<void> {
  events = command.tokens.map(() => 0);
  let acknowledged = 0;
  const all = Promise.all(
    command.tokens.map(
      (token, i) =>
        new Promise<void>((resolve) => {
          const client = createClient({
            url: command.endpoint.replace(/^http/, 'ws'),
            webSocketImpl: WebSocket,
            connectionParams: token ? { authorization: `Bearer ${token}` } : {},
            // A connection refused while thousands open at once tries again (counted once it is acknowledged).
            retryAttempts: 10,
            shouldRetry: () => true,
            lazy: false,
            onNonLazyError: () => undefined,
            on: {
              connected: () => {
                acknowledged += 1;
                resolve();
              },
            },
          });
          clients.push(client);
          client.subscribe<Event['data']>(
            { query: command.query, variables: command.variables },
            {
              next: (result: Event) => {
                const arrival = Date.now();
                const stream = result.data?.streamStatusChanged;
                if (!stream) {
                  errors += 1;
                  return;
                }
                latencies.push(arrival - Date.parse(stream.updatedAt));
                events[i] = (events[i] ?? 0) + 1;
                if (stream.camera.farm.name !== command.expectedFarm) wrong += 1;
              },
              error: () => (errors += 1),
              complete: () => undefined,
            },
          );
        }),
    ),
  );
  await Promise.race([all, new Promise((r) => setTimeout(r, 120_000))]);
  send({ type: 'subscribed', connections: acknowledged });
}

process.on('message', (command: ClientsCommand) => {
  if (command.type === 'start') void start(command);
  else if (command.type === 'report') {
    send({ type: 'report', latencies, events, wrong, errors });
    latencies = [];
  } else {
    void Promise.all(clients.map((c) => c.dispose())).then(() => process.exit(0));
  }
});
