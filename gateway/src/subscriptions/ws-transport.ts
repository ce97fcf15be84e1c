import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import {
  CloseCode,
  handleProtocols,
  makeServer,
  type ConnectionInitMessage,
  type ServerOptions,
  type WebSocket as ProtocolSocket,
} from 'graphql-ws';
import type { Logger } from '@vegshare/kit/gateway';

/** What every connection's graphql-ws context carries as `extra`: at least its socket. */
export interface TransportExtra {
  readonly socket: WebSocket;
}

export interface WsTransportOptions<E extends TransportExtra> {
  readonly wss: WebSocketServer;
  /**
   * The connection's `extra`, built once from the upgrade request. Keep only what is needed: the request itself is
   * not retained (its headers, raw headers and parser state would stay alive as long as the socket).
   */
  readonly extraOf: (socket: WebSocket, request: IncomingMessage) => E;
  /** Keep-alive: every interval each socket is pinged; one that has not answered the previous ping is terminated. */
  readonly keepAliveMs: number;
  readonly logger: Logger;
}

export interface WsTransport {
  dispose(): Promise<void>;
}

/** The graphql-ws side of one socket: methods on a prototype instead of closures per connection. */
class Connection implements ProtocolSocket {
  constructor(
    private readonly socket: WebSocket,
    private readonly logger: Logger,
  ) {}

  get protocol(): string {
    return this.socket.protocol;
  }

  send(data: string): Promise<void> {
    const socket = this.socket;
    return new Promise((resolve, reject) => {
      if (socket.readyState !== socket.OPEN) return resolve();
      socket.send(data, (error) => (error ? reject(error) : resolve()));
    });
  }

  close(code?: number, reason?: string): void {
    this.socket.close(code, reason);
  }

  onMessage(handle: (data: string) => Promise<void>): void {
    const { socket, logger } = this;
    socket.on('message', (data: RawData) => {
      handle(String(data)).catch((error: unknown) => {
        // graphql-ws answers protocol errors itself: this is a failure of ours.
        logger.error({ err: error }, 'graphql-ws message handling failed');
        socket.close(CloseCode.InternalServerError, 'Internal server error');
      });
    });
  }
}

/**
 * graphql-ws over `ws`, as `graphql-ws/use/ws`'s `useServer` (which its authors offer as a starter to adapt) with what
 * a connection keeps for its lifetime cut down, for servers holding many thousands of idle subscribers:
 * - the upgrade request is read once (`extraOf`) and not kept as `extra.request`;
 * - one keep-alive timer for all sockets (ws's heartbeat pattern) instead of an interval and a pong wait per socket;
 * - shared handlers for `pong`, `error` and `close`; the protocol side of a socket is a small object with prototype methods.
 * Protocol behaviour is unchanged: the same subprotocol check, close codes and message handling (makeServer's).
 */
export function serveGraphqlWs<P extends ConnectionInitMessage['payload'], E extends TransportExtra>(
  serverOptions: ServerOptions<P, E>,
  options: WsTransportOptions<E>,
): WsTransport {
  const { wss, logger } = options;
  const server = makeServer(serverOptions);
  wss.options.handleProtocols = handleProtocols;
  /** Sockets pinged at the last tick that have not answered yet. */
  const awaitingPong = new Set<WebSocket>();
  /** What graphql-ws runs when a socket closes (its subscriptions end, onClose). */
  const closers = new WeakMap<WebSocket, (code: number, reason: string) => Promise<void>>();

  function onPong(this: WebSocket): void {
    awaitingPong.delete(this);
  }
  function onSocketClose(this: WebSocket, code: number, reason: Buffer): void {
    awaitingPong.delete(this);
    const closed = closers.get(this);
    closers.delete(this);
    closed?.(code, String(reason)).catch((error: unknown) =>
      logger.error({ err: error }, 'graphql-ws connection cleanup failed'),
    );
  }
  function onSocketError(this: WebSocket, error: Error): void {
    logger.error({ err: error }, 'graphql-ws socket failed');
    this.close(CloseCode.InternalServerError, 'Internal server error');
  }

  wss.on('error', (error) => {
    logger.error({ err: error }, 'graphql-ws server failed');
    for (const client of wss.clients) client.close(CloseCode.InternalServerError, 'Internal server error');
  });
  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    socket.on('error', onSocketError);
    socket.on('pong', onPong);
    socket.on('close', onSocketClose);
    closers.set(socket, server.opened(new Connection(socket, logger), options.extraOf(socket, request)));
  });

  const heartbeat =
    options.keepAliveMs > 0 && Number.isFinite(options.keepAliveMs)
      ? setInterval(() => {
          for (const socket of wss.clients) {
            if (socket.readyState !== socket.OPEN) continue;
            if (awaitingPong.has(socket)) {
              awaitingPong.delete(socket);
              socket.terminate();
              continue;
            }
            awaitingPong.add(socket);
            socket.ping();
          }
        }, options.keepAliveMs)
      : null;
  heartbeat?.unref();

  return {
    async dispose() {
      if (heartbeat) clearInterval(heartbeat);
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
