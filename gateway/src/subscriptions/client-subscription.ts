import { Repeater } from '@repeaterjs/repeater';
import type { GraphQLError, ExecutionResult } from 'graphql';
import type { WebSocket } from 'ws';
import type { GatewayContext } from '../context.ts';
import type { FanoutMember, Membership } from './fanout.ts';

/** WebSocket close code graphql-ws clients treat as "try again later" (they reconnect). */
export const CLOSE_TRY_AGAIN_LATER = 1013;

/** One client's subscription as graphql-ws holds it, which can also be ended from outside. */
export interface ClientSubscription extends AsyncGenerator<ExecutionResult, void, unknown> {
  /** Delivers `{ errors: [error] }` as the last result, then completes (access ended, schema reloaded). */
  end(error: GraphQLError): void;
}

export interface ClientSubscriptionOptions {
  /** The graphql-ws operation id. */
  readonly id: string;
  readonly socket: WebSocket;
  /** Whether graphql-ws still runs the operation (the client has not completed it). */
  readonly isRunning: () => boolean;
  readonly context: GatewayContext;
  /** A socket with more than this many bytes unsent is too slow: it is closed (1013) and may reconnect. */
  readonly maxBufferedBytes: number;
  readonly join: (member: FanoutMember) => Membership;
  readonly onSlow: () => void;
  /** Called once when the subscription ended, however it ended. */
  readonly onFinish: () => void;
}

/**
 * A client subscription fed by the fan-out. Events are written to the socket directly as pre-serialised graphql-ws
 * `next` frames (the payload is serialised once per distinct result; only the id differs per client); graphql-ws
 * still owns the protocol, and the Repeater it iterates only carries the last result (an error) and the end, which it
 * sends after every frame written before them.
 */
export function clientSubscription(options: ClientSubscriptionOptions): ClientSubscription {
  const prefix = `{"id":${JSON.stringify(options.id)},"type":"next","payload":`;
  let endWith: ((result: ExecutionResult) => void) | null = null;
  let endedEarly: ExecutionResult | null = null;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    options.onFinish();
  };

  const repeater = new Repeater<ExecutionResult>(async (push, stop) => {
    let ended = false;
    const fail = (result: ExecutionResult) => {
      if (ended) return;
      ended = true;
      void push(result);
      stop();
    };
    if (endedEarly) {
      fail(endedEarly);
      finish();
      return;
    }
    endWith = fail;
    const member: FanoutMember = {
      context: options.context,
      deliver: (payload) => {
        if (ended || !options.isRunning()) return;
        if (options.socket.bufferedAmount > options.maxBufferedBytes) {
          ended = true;
          options.onSlow();
          options.socket.close(CLOSE_TRY_AGAIN_LATER, 'Consumer too slow');
          stop();
          return;
        }
        options.socket.send(`${prefix}${payload}}`);
      },
      fail,
      complete: () => {
        ended = true;
        stop();
      },
    };
    const membership = options.join(member);
    try {
      await stop;
    } finally {
      ended = true;
      membership.leave();
      finish();
    }
  });

  const subscription = repeater as Repeater<ExecutionResult> & { end?: (error: GraphQLError) => void };
  // A subscription graphql-ws returns before iterating it never starts its executor: it is finished all the same.
  const returnOf = repeater.return.bind(repeater);
  subscription.return = (value) => {
    finish();
    return returnOf(value);
  };
  subscription.end = (error) => {
    const result: ExecutionResult = { errors: [error] };
    if (endWith) endWith(result);
    else endedEarly ??= result;
  };
  return subscription as ClientSubscription;
}
