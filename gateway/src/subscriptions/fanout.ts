import type { ServiceMap } from '@apollo/gateway';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { LRUCache } from 'lru-cache';
import { stringify } from 'safe-stable-stringify';
import {
  ErrorCode,
  subscriptionAccessEnded,
  wsErrorHooks,
  type ErrorFormatter,
  type Logger,
  type RevocationView,
  type ServiceMetrics,
} from '@vegshare/kit/gateway';
import type { GatewayContext } from '../context.ts';
import { completeEvent } from './event-executor.ts';
import type { SubscriptionPlan, SubscriptionPlanner } from './subscription-planner.ts';
import type { UpstreamPool, UpstreamResult } from './upstream-pool.ts';

/** One client subscription, as the fan-out sees it. */
export interface FanoutMember {
  readonly context: GatewayContext;
  /** Sends one completed event, already serialised as a graphql-ws `next` payload. */
  deliver(payload: string): void;
  /** Ends the subscription with a last result (a refusal, access that ended, a failed source). */
  fail(result: ExecutionResult): void;
  /** Ends the subscription normally (the source completed). */
  complete(): void;
}

export interface FanoutRequest {
  readonly plan: SubscriptionPlan;
  /** The operation as run: its text after persisted-operation resolution and its name. */
  readonly operationKey: string;
  readonly variables: Readonly<Record<string, unknown>>;
}

export interface Membership {
  leave(): void;
}

export interface FanoutOptions {
  readonly planner: SubscriptionPlanner;
  readonly pool: UpstreamPool;
  readonly services: () => ServiceMap;
  readonly serviceUrl: (name: string) => string;
  readonly access: RevocationView;
  readonly formatError: ErrorFormatter;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /**
   * Share caller-independent results between callers (default). Off: one upstream and one completion per caller
   * token, as before fan-out (kept to measure against).
   */
  readonly shareAcrossCallers?: boolean;
}

interface Group {
  readonly key: string;
  /** Operation and variables, without the rights class. */
  readonly baseKey: string;
  /** Every permitted caller shares it (the result is caller-independent), or it is one rights class (one token). */
  readonly shared: boolean;
  readonly request: FanoutRequest;
  /** Whose rights the upstream subscription and the entity fetches run with. */
  readonly context: GatewayContext;
  readonly members: Set<Slot>;
  chain: Promise<void>;
  unsubscribe: () => void;
  closed: boolean;
}

interface Slot {
  readonly member: FanoutMember;
  readonly request: FanoutRequest;
  group: Group | null;
}

/** Context of the shared class: nobody's identity, no client address (entity fetches run as an anonymous caller). */
const ANONYMOUS: GatewayContext = Object.freeze({
  viewer: null,
  authorization: null,
  viaApiKey: false,
  clientIp: '',
  userAgent: null,
});

const errorResult = (message: string, code: string): ExecutionResult => ({
  errors: [new GraphQLError(message, { extensions: { code } })],
});

/** The errors of an upstream `error` message (a list of formatted GraphQL errors), or null for other failures. */
function upstreamRefusal(error: unknown): ExecutionResult | null {
  if (!Array.isArray(error) || error.length === 0) return null;
  const errors = error.filter(
    (e): e is { message: string; extensions?: Record<string, unknown> } =>
      typeof (e as { message?: unknown }).message === 'string',
  );
  if (errors.length !== error.length) return null;
  return { errors: errors.map((e) => new GraphQLError(e.message, { extensions: e.extensions ?? {} })) };
}

/** Partner credentials are narrowed by scopes, so they may see less than an anonymous caller: never in the shared class. */
const isPartner = (context: GatewayContext): boolean =>
  context.viaApiKey ||
  (context.viewer !== null && (context.viewer.apiKeyId !== null || context.viewer.scopes.length > 0));

/**
 * Subscription fan-out: the work of a subscription is done once per distinct (operation + variables, rights class),
 * not once per client. A group holds one upstream subscription, completes each event once (one set of entity
 * fetches), serialises the result once, and hands the same payload to every member; each member is authorized per
 * event from the revocation view (no I/O).
 *
 * Rights classes:
 * - an operation whose every field is `@callerIndependent` gives every caller allowed to subscribe the same result:
 *   it is subscribed upstream once as an anonymous caller and shared by anonymous callers and signed-in users (a
 *   user may see at least what an anonymous caller sees). If that anonymous subscription is refused or fails (a
 *   private camera, a renter-only plot), signed-in members move to their own class (below) and the subgraph decides
 *   for each of them; the refusal is remembered for a while so the next signed-in caller goes there at once;
 * - any other operation (a field reads the caller: `viewerCanWatch`, a farmer-only `sourceUrl`, `viewer`), and any
 *   partner credential: one class per caller token, subscribed upstream with that token.
 */
export class SubscriptionFanout {
  readonly #groups = new Map<string, Group>();
  /** Operations (with variables) an anonymous caller was refused: signed-in callers skip the shared class for them. */
  readonly #refusedToAnonymous = new LRUCache<string, true>({ max: 10_000, ttl: 30_000 });
  readonly #share: boolean;
  readonly #format: ReturnType<typeof wsErrorHooks>['onNext'];
  readonly #eventsCounter;
  readonly #groupsGauge;
  readonly #upstreamsGauge;

  constructor(private readonly options: FanoutOptions) {
    this.#share = options.shareAcrossCallers ?? true;
    this.#format = wsErrorHooks(options.formatError).onNext;
    this.#eventsCounter = options.metrics.counter(
      'gateway_subscription_events_total',
      'Subscription events delivered by outcome',
      ['outcome'],
    );
    this.#groupsGauge = options.metrics.gauge(
      'gateway_subscription_results',
      'Distinct subscription results computed per event (operation + variables + rights class)',
    );
    this.#upstreamsGauge = options.metrics.gauge(
      'gateway_subscription_upstreams',
      'Upstream subscriptions held open to subgraphs',
    );
  }

  /** Distinct results computed per event (for metrics and tests). */
  get groups(): number {
    return this.#groups.size;
  }

  join(request: FanoutRequest, member: FanoutMember): Membership {
    const slot: Slot = { member, request, group: null };
    this.#place(slot, this.#mayShare(request, member.context));
    return { leave: () => this.#leave(slot) };
  }

  /** Counts events a member could not take (its socket was too slow). */
  dropped(): void {
    this.#eventsCounter.inc({ outcome: 'dropped_slow' });
  }

  #mayShare(request: FanoutRequest, context: GatewayContext): boolean {
    if (!this.#share || !request.plan.callerIndependent || isPartner(context)) return false;
    return context.viewer === null || !this.#refusedToAnonymous.has(baseKeyOf(request));
  }

  #place(slot: Slot, shared: boolean): void {
    const baseKey = baseKeyOf(slot.request);
    const context = slot.member.context;
    const key = shared ? `${baseKey}\u0000*` : `${baseKey}\u0000=${context.authorization ?? ''}`;
    const group = this.#groups.get(key) ?? this.#open(key, baseKey, shared, slot.request, shared ? ANONYMOUS : context);
    group.members.add(slot);
    slot.group = group;
  }

  #open(key: string, baseKey: string, shared: boolean, request: FanoutRequest, context: GatewayContext): Group {
    const { plan, variables } = request;
    const { upstream } = plan;
    const upstreamVariables: Record<string, unknown> = {};
    for (const name of upstream.variableUsages) if (name in variables) upstreamVariables[name] = variables[name];
    if (upstream.resume) upstreamVariables[upstream.resume.variable] = upstream.resume.initial(variables);
    const group: Group = {
      key,
      baseKey,
      shared,
      request,
      context,
      members: new Set(),
      chain: Promise.resolve(),
      unsubscribe: () => undefined,
      closed: false,
    };
    this.#groups.set(key, group);
    group.unsubscribe = this.options.pool.subscribe(
      {
        serviceName: plan.primary.serviceName,
        url: this.options.serviceUrl(plan.primary.serviceName),
        query: upstream.query,
        variables: upstreamVariables,
        authorization: context.authorization,
        resume: upstream.resume,
      },
      {
        next: (event) => this.#enqueue(group, () => this.#onEvent(group, event)),
        error: (error) => this.#enqueue(group, () => this.#onError(group, error)),
        complete: () => this.#enqueue(group, () => this.#onComplete(group)),
      },
    );
    this.#updateGauges();
    return group;
  }

  /** Events of a group are handled one at a time, in order. */
  #enqueue(group: Group, task: () => Promise<void> | void): void {
    group.chain = group.chain
      .then(task)
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'subscription fan-out failed'));
  }

  async #onEvent(group: Group, event: UpstreamResult): Promise<void> {
    if (group.closed) return;
    if (!event.data) {
      // No data: the subgraph refused or failed this event. For the shared class that may be a refusal of the
      // anonymous caller: signed-in members ask with their own rights instead.
      if (group.shared) this.#moveSignedInMembers(group);
      this.#broadcast(group, {
        errors: (event.errors ?? [{ message: 'Upstream subscription failed' }]).map(
          (e) => new GraphQLError(e.message, { extensions: e.extensions ?? {} }),
        ),
      });
      return;
    }
    let result: ExecutionResult;
    try {
      result = await completeEvent({
        plan: group.request.plan,
        state: this.options.planner.state,
        services: this.options.services(),
        event,
        variables: { ...group.request.variables },
        context: group.context,
        logger: this.options.logger,
      });
    } catch (error) {
      this.options.logger.error({ err: error }, 'subscription event completion failed');
      result = errorResult('Internal server error', ErrorCode.INTERNAL);
    }
    this.#broadcast(group, result);
  }

  #onError(group: Group, error: unknown): void {
    this.#close(group);
    // The owning subgraph refused the operation (an `error` message: rights, scopes, input): its coded errors reach
    // the client as they are (the formatter masks anything uncoded); a broken connection is our failure.
    const refused = upstreamRefusal(error);
    if (!refused) this.options.logger.warn({ err: error }, 'upstream subscription failed');
    if (group.shared) this.#moveSignedInMembers(group);
    const result = refused ?? errorResult('The subscription source failed', ErrorCode.UPSTREAM_SUBSCRIPTION_FAILED);
    for (const slot of [...group.members]) slot.member.fail(result);
  }

  #onComplete(group: Group): void {
    this.#close(group);
    for (const slot of [...group.members]) slot.member.complete();
  }

  #moveSignedInMembers(group: Group): void {
    this.#refusedToAnonymous.set(group.baseKey, true);
    for (const slot of [...group.members]) {
      if (slot.member.context.viewer === null) continue;
      this.#detach(slot);
      this.#place(slot, false);
    }
    if (group.members.size === 0) this.#close(group);
  }

  /** One serialisation per result; every member still allowed gets the same payload. */
  #broadcast(group: Group, result: ExecutionResult): void {
    if (group.members.size === 0) return;
    // Formatted (masking, stable codes) exactly as graphql-ws formats results it sends itself.
    const payload = JSON.stringify(this.#format(null, '', null, null, result));
    let delivered = 0;
    for (const slot of [...group.members]) {
      if (!this.#stillAllowed(slot)) continue;
      slot.member.deliver(payload);
      delivered += 1;
    }
    this.#eventsCounter.inc({ outcome: 'delivered' }, delivered);
  }

  /**
   * Per-event authorization from the revocation view (in memory): a member whose session, key or token ended, or who
   * lost a role since subscribing, gets FORBIDDEN and leaves. (Watchers end it too, as soon as the change arrives.)
   */
  #stillAllowed(slot: Slot): boolean {
    const viewer = slot.member.context.viewer;
    if (!viewer) return true;
    try {
      const now = this.options.access.current(viewer);
      if (now === viewer || viewer.roles.every((r) => now.roles.includes(r))) return true;
      slot.member.fail({ errors: [subscriptionAccessEnded()] });
    } catch (error) {
      // Access that cannot be confirmed right now (the revocation feed is behind) is not delivered unchecked.
      const unconfirmed = error instanceof GraphQLError && error.extensions['code'] === ErrorCode.SERVICE_UNAVAILABLE;
      slot.member.fail({ errors: [unconfirmed ? error : subscriptionAccessEnded()] });
    }
    return false;
  }

  #detach(slot: Slot): Group | null {
    const group = slot.group;
    if (!group) return null;
    slot.group = null;
    group.members.delete(slot);
    return group;
  }

  #leave(slot: Slot): void {
    const group = this.#detach(slot);
    if (group && group.members.size === 0) this.#close(group);
  }

  #close(group: Group): void {
    if (group.closed) return;
    group.closed = true;
    if (this.#groups.get(group.key) === group) this.#groups.delete(group.key);
    group.unsubscribe();
    this.#updateGauges();
  }

  #updateGauges(): void {
    this.#groupsGauge.set(this.#groups.size);
    this.#upstreamsGauge.set(this.options.pool.upstreamCount);
  }
}

function baseKeyOf(request: FanoutRequest): string {
  return `${request.plan.generation}\u0000${request.operationKey}\u0000${stringify(request.variables) ?? '{}'}`;
}
