import type { GraphQLError, ExecutionResult } from 'graphql';
import type { WebSocket } from 'ws';
import type { GatewayContext } from '../context.ts';
import type { FanoutMember, FanoutRequest, Membership } from './fanout.ts';

/** WebSocket close code graphql-ws clients treat as "try again later" (they reconnect). */
export const CLOSE_TRY_AGAIN_LATER = 1013;

/** What every client subscription of a server shares: the fan-out it joins, limits and bookkeeping. */
export interface SubscriptionHost {
  join(request: FanoutRequest, member: FanoutMember): Membership;
  /** A member's socket was too slow: it was closed (counted). */
  dropped(): void;
  /** A socket with more than this many bytes unsent is too slow: it is closed (1013) and may reconnect. */
  readonly maxBufferedBytes: number;
  /** Called once when a subscription ended, however it ended. */
  finished(subscription: ClientSubscription): void;
}

/** The graphql-ws connection a subscription runs on (graphql-ws's context, as far as it is read here). */
export interface SubscriptionConnection {
  /** Operations graphql-ws still runs, by id: the client has not completed them. */
  readonly subscriptions: Readonly<Record<string, unknown>>;
  readonly extra: {
    readonly socket: WebSocket;
    /** The connection's open subscriptions: the server adds each one, which removes itself when it ends. */
    readonly streams: Set<ClientSubscription>;
  };
}

type Step = IteratorResult<ExecutionResult, void>;
const DONE: Step = Object.freeze({ value: undefined, done: true });

const NOT_STARTED = 0;
const LIVE = 1;
const ENDED = 2;

/**
 * One client's subscription as graphql-ws iterates it, fed by the fan-out, and which can be ended from outside.
 * Events are written to the socket directly as pre-serialised graphql-ws `next` frames (the payload is serialised once
 * per distinct result; only the id differs per client); graphql-ws still owns the protocol, and what it iterates only
 * carries the last result (an error) and the end, which it sends after every frame written before them.
 *
 * Thousands of these stay open per process, so a subscription is one object with its state in fields and its
 * behaviour on the prototype (no closures, no Repeater per subscription). It joins the fan-out when graphql-ws first
 * asks for a result, and leaves it as soon as it ends.
 */
export class ClientSubscription implements AsyncGenerator<ExecutionResult, void, unknown>, FanoutMember {
  #phase: typeof NOT_STARTED | typeof LIVE | typeof ENDED = NOT_STARTED;
  /** The last result (a refusal, access that ended…), handed to graphql-ws before the end. */
  #last: ExecutionResult | null = null;
  /** graphql-ws waiting for the next result. */
  #waiting: ((step: Step) => void) | null = null;
  #membership: Membership | null = null;

  constructor(
    private readonly host: SubscriptionHost,
    private readonly connection: SubscriptionConnection,
    /** The graphql-ws operation id. */
    readonly id: string,
    private readonly request: FanoutRequest,
    readonly context: GatewayContext,
  ) {}

  /** Delivers `{ errors: [error] }` as the last result, then completes (access ended, schema reloaded). */
  end(error: GraphQLError): void {
    this.fail({ errors: [error] });
  }

  // FanoutMember: what the fan-out calls.

  deliver(payload: string): void {
    if (this.#phase !== LIVE || !(this.id in this.connection.subscriptions)) return;
    const socket = this.connection.extra.socket;
    if (socket.bufferedAmount > this.host.maxBufferedBytes) {
      this.host.dropped();
      socket.close(CLOSE_TRY_AGAIN_LATER, 'Consumer too slow');
      this.#end(null);
      return;
    }
    socket.send(`{"id":${JSON.stringify(this.id)},"type":"next","payload":${payload}}`);
  }

  fail(result: ExecutionResult): void {
    this.#end(result);
  }

  complete(): void {
    this.#end(null);
  }

  // AsyncGenerator: what graphql-ws calls.

  next(): Promise<Step> {
    if (this.#phase === NOT_STARTED) {
      this.#phase = LIVE;
      this.#membership = this.host.join(this.request, this);
    }
    const last = this.#last;
    if (last) {
      this.#last = null;
      return Promise.resolve({ value: last, done: false });
    }
    if (this.#phase === ENDED) return Promise.resolve(DONE);
    return new Promise<Step>((resolve) => (this.#waiting = resolve));
  }

  return(): Promise<Step> {
    this.#last = null;
    this.#end(null);
    return Promise.resolve(DONE);
  }

  throw(error: unknown): Promise<Step> {
    void this.return();
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  /** Ends once: leaves the fan-out, tells the host, and hands graphql-ws the last result (if any), then the end. */
  #end(last: ExecutionResult | null): void {
    if (this.#phase === ENDED) return;
    this.#phase = ENDED;
    this.#last = last;
    const membership = this.#membership;
    this.#membership = null;
    membership?.leave();
    this.connection.extra.streams.delete(this);
    this.host.finished(this);
    const waiting = this.#waiting;
    if (!waiting) return;
    this.#waiting = null;
    if (last) {
      this.#last = null;
      waiting({ value: last, done: false });
    } else waiting(DONE);
  }
}
