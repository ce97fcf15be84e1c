/**
 * Event contracts between services. Publishers and subscribers import these types and topic names,
 * so a change to a payload is a compile error on both sides. Pub/sub is at-most-once: commands carried as
 * events are re-published by the requester until the owner acknowledges them, and handlers are idempotent.
 */

/** auth → user: an account was created (user creates the profile). */
export interface UserRegistered {
  readonly userId: string;
  readonly email: string;
  readonly displayName: string;
  readonly roles: readonly string[];
}

/** Kinds of notification a user can mute per channel (the user subgraph's preferences are keyed by these). */
export const NOTIFICATION_KINDS = [
  'rental',
  'planting',
  'task',
  'harvest',
  'delivery',
  'adoption',
  'stream',
  'account',
  'system',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** any → user: please notify a user (idempotent by eventId; user persists it and publishes NotificationAdded). */
export interface NotificationRequested {
  readonly eventId: string;
  readonly userId: string;
  readonly kind: NotificationKind;
  readonly title: string;
  readonly body: string;
  readonly link?: string | null;
}

/** farm → streaming (and others): who owns a farm. */
export interface FarmChanged {
  readonly farmId: string;
  readonly ownerId: string;
  readonly name: string;
}

/** farm → streaming: a rental's state, so streaming knows who may watch a plot's cameras. */
export interface RentalChanged {
  readonly rentalId: string;
  readonly plotId: string;
  readonly farmId: string;
  readonly customerId: string;
  readonly status: 'REQUESTED' | 'ACTIVE' | 'ENDED' | 'CANCELLED';
  /** ISO dates (YYYY-MM-DD), inclusive start, exclusive end. */
  readonly startsOn: string;
  readonly endsOn: string;
}

/** streaming → transcoding: start (or keep) a live ladder for a stream; re-published until acknowledged. */
export interface LiveTranscodeRequested {
  readonly streamId: string;
  readonly cameraId: string;
  /** The camera's farm: the job belongs to it (farmers see their farms' jobs only). */
  readonly farmId: string;
  readonly sourceUrl: string;
  readonly profile: string;
}

/** streaming → transcoding (and others): a camera's farm, or that it was removed. */
export interface CameraChanged {
  readonly cameraId: string;
  readonly farmId: string;
  readonly plotId: string | null;
  readonly removed: boolean;
}

/** streaming → transcoding: stop the live ladder of a stream. */
export interface LiveTranscodeStopRequested {
  readonly streamId: string;
}

/** transcoding → streaming: what the live ladder of a stream is doing. */
export interface LiveTranscodeStatus {
  readonly streamId: string;
  readonly jobId: string;
  readonly status: 'STARTING' | 'LIVE' | 'RECONNECTING' | 'ENDED' | 'FAILED';
  /** S3 key of the HLS master playlist, once written. */
  readonly masterPlaylistKey: string | null;
  readonly renditions: readonly string[];
  readonly error: string | null;
  readonly at: string;
  /**
   * Whether the camera itself answers (video arrives or the source can be probed), apart from whether our encoder
   * copes: a stream can fail while its camera is ONLINE. Null when not known yet.
   */
  readonly cameraOnline?: boolean | null;
}

/**
 * transcoding → streaming: a live rendition's playlist in S3 now lists part `part` of segment `msn` (LL-HLS
 * blocking playlist reloads wait for this).
 */
export interface LiveHlsProgress {
  readonly streamId: string;
  readonly jobId: string;
  readonly rendition: string;
  readonly msn: number;
  readonly part: number;
  /** Rendition-wide id of that part (its file is part<id>.m4s): a preload-hinted request waits for it. */
  readonly partId: number;
}

/** transcoding → streaming: a worker's CPU headroom (every heartbeat), so a start can be refused at once when none has room. */
export interface TranscoderCapacity {
  readonly workerId: string;
  /** Cores free for live jobs. */
  readonly liveHeadroom: number;
  /** What the next live job is expected to cost, in cores (measured on running ones). */
  readonly liveJobCost: number;
  readonly at: string;
}

/** transcoding → streaming: a camera's timelapse for a day is in S3. */
export interface TimelapseReady {
  readonly jobId: string;
  readonly cameraId: string;
  readonly day: string;
  readonly videoKey: string;
  readonly durationSeconds: number;
  readonly frameCount: number;
}

/** streaming → farm: a timelapse of a plot's camera is ready (the plot's activity feed shows it). */
export interface PlotTimelapseReady {
  readonly timelapseId: string;
  readonly cameraId: string;
  readonly cameraName: string;
  readonly plotId: string;
  readonly farmId: string;
  readonly day: string;
}

/** transcoding → streaming: recordings older than the retention were deleted from S3. */
export interface RecordingsExpired {
  readonly jobIds: readonly string[];
}

/** What a booking is: a plot rental or an animal adoption (both paid through the payment subgraph). */
type BookingKind = 'RENTAL' | 'ADOPTION';

/**
 * farm → payment: a booking was requested or changed. Carries what a payment needs (price, currency, the farm and
 * its farmer). REQUESTED = held, waiting for payment and the farm's confirmation; ACTIVE = confirmed by the farm
 * (adoptions are confirmed when made); ENDED / CANCELLED = over (a payment not captured yet is cancelled).
 */
export interface BookingChanged {
  readonly kind: BookingKind;
  readonly bookingId: string;
  readonly customerId: string;
  readonly farmId: string;
  readonly farmerId: string;
  readonly status: 'REQUESTED' | 'ACTIVE' | 'ENDED' | 'CANCELLED';
  /** ISO dates (YYYY-MM-DD), inclusive start, exclusive end. */
  readonly startsOn: string;
  readonly endsOn: string;
  /** Price in the smallest unit of `currency`. */
  readonly priceCents: number;
  /** ISO 4217; null = the farm's currency as configured in the payment subgraph. */
  readonly currency: string | null;
  /** What is paid for, for the customer and the receipt (e.g. "Plot A-1, Green Acres, 2027-03-01 – 2027-11-01"). */
  readonly title: string;
}

/**
 * payment → farm: release a booking (cancel it) because its payment was not made in time, was cancelled, or the
 * customer cancelled it. A command carried as an event: re-published until the farm's BookingChanged shows the
 * booking CANCELLED or ENDED; the farm's handler is idempotent.
 */
export interface BookingReleaseRequested {
  readonly kind: BookingKind;
  readonly bookingId: string;
  readonly reason: 'HOLD_EXPIRED' | 'PAYMENT_CANCELED' | 'NOT_CONFIRMED' | 'CUSTOMER_CANCELLED';
}

/** payment → any: a payment's state changed (published after the change committed). */
export interface PaymentChanged {
  readonly paymentId: string;
  readonly bookingKind: BookingKind;
  readonly bookingId: string;
  readonly customerId: string;
  readonly farmId: string;
  readonly status: 'PENDING' | 'WAITING_FOR_CAPTURE' | 'SUCCEEDED' | 'CANCELED';
  readonly amountCents: number;
  readonly refundedCents: number;
  readonly currency: string;
  readonly version: number;
}

/**
 * auth → every service holding personal data: an account was deleted; erase or anonymise what belongs to it.
 * Re-published by auth until every service in its erasure list answered with UserDataErased (handlers are idempotent).
 */
export interface UserDeleted {
  readonly userId: string;
  /** ISO 8601 instant of the deletion. */
  readonly deletedAt: string;
}

/** any → auth: this service has erased or anonymised the data of a deleted account (acknowledges UserDeleted). */
export interface UserDataErased {
  readonly userId: string;
  /** The acknowledging service's name, e.g. 'user', 'farm', 'streaming'. */
  readonly service: string;
}

/**
 * auth → every service: access that ended or changed, so a still-valid access token stops working everywhere
 * (see revocation/). `at` is auth's clock, in ms since the epoch.
 */
export type AccessRevoked =
  /** Sessions ended: logout, logoutEverywhere, revokeSession, password change or reset, refresh-token reuse. */
  | {
      readonly kind: 'SESSIONS_ENDED';
      readonly userId: string;
      readonly sessionIds: readonly string[];
      readonly at: number;
    }
  /** The account's roles now; tokens issued before `at` are read with these roles. */
  | { readonly kind: 'ROLES_CHANGED'; readonly userId: string; readonly roles: readonly string[]; readonly at: number }
  /**
   * A partner credential was revoked (`userId` is the partner): an API key, or an OAuth client — its tokens carry the
   * client's id as `akid` just as API-key tokens carry the key's.
   */
  | { readonly kind: 'API_KEY_REVOKED'; readonly userId: string; readonly apiKeyId: string; readonly at: number }
  /** One access token was revoked before it expired (OAuth token revocation, RFC 7009), by its `jti`. */
  | { readonly kind: 'TOKEN_REVOKED'; readonly userId: string; readonly tokenId: string; readonly at: number }
  /** The account was deleted (its sessions and API keys went with it): every token of `userId` is refused. */
  | { readonly kind: 'ACCOUNT_DELETED'; readonly userId: string; readonly at: number };

/** farm → subscribers of a plot's feed: an activity entry of the plot (the row; dates arrive as ISO strings). */
export interface PlotActivity {
  readonly id: string;
  readonly plotId: string | null;
  readonly animalId: string | null;
  readonly rentalId: string | null;
  readonly kind:
    | 'RENTAL_CHANGED'
    | 'PLAN_CHANGED'
    | 'TASK_COMPLETED'
    | 'HARVEST_RECORDED'
    | 'DELIVERY_CHANGED'
    | 'ANIMAL_UPDATE'
    | 'ADOPTION_CHANGED'
    | 'TIMELAPSE_READY';
  readonly message: string;
  readonly actorId: string | null;
  readonly photos: string[];
  readonly subjectId: string | null;
  /** A Date where it is published, an ISO string once it went through the bus (JSON). */
  readonly createdAt: Date | string;
}

/** streaming → subscribers of a stream: the stream's row after a change, dates as ISO strings (JSON-safe). */
export interface StreamSnapshot {
  readonly id: string;
  readonly cameraId: string;
  readonly status: 'IDLE' | 'STARTING' | 'LIVE' | 'RECONNECTING' | 'ENDED' | 'FAILED';
  readonly onDemand: boolean;
  readonly jobId: string | null;
  readonly masterPlaylistKey: string | null;
  readonly renditions: string[];
  readonly lastError: string | null;
  readonly requestedAt: string | null;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly updatedAt: string;
}

/** streaming → subscribers of a stream: how many watch it now. */
export interface ViewerCountEvent {
  readonly streamId: string;
  readonly viewers: number;
}

/** streaming → subscribers of a farm's cameras: a camera went offline or came back (they read its state again). */
export interface CameraHealthChanged {
  readonly cameraId: string;
}

/** streaming → its own subscriptions: who may watch a plot's cameras changed (a rental projection was applied). */
export interface PlotWatchersChanged {
  readonly plotId: string;
}

/** streaming → its own subscriptions: who may watch a camera changed (made public or private, moved, removed). */
export interface CameraWatchersChanged {
  readonly cameraId: string;
}

/** transcoding → subscribers of a job: the job's row after a change, dates as ISO strings (JSON). */
export interface TranscodeJobEvent {
  readonly id: string;
  readonly kind: 'LIVE' | 'VOD' | 'TIMELAPSE' | 'THUMBNAIL';
  readonly status: 'QUEUED' | 'RUNNING' | 'RECONNECTING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  readonly cameraId: string | null;
  readonly farmId: string | null;
  readonly streamId: string | null;
  readonly liveKey: string | null;
  readonly source: string;
  readonly profile: string;
  readonly day: string | null;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly fps: number | null;
  readonly speed: number | null;
  readonly processedMs: number | null;
  readonly bitrateKbps: number | null;
  readonly workerId: string | null;
  readonly error: string | null;
  readonly outputPrefix: string | null;
  readonly masterPlaylistKey: string | null;
  readonly dashManifestKey: string | null;
  readonly outputKey: string | null;
  readonly thumbnailCount: number;
  readonly requestedBy: string | null;
  readonly renditions: string[];
  readonly liveStatus: string | null;
  readonly cameraOnline: boolean | null;
  readonly stopRequestedAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

/** transcoding (service) → its worker processes: cancel or stop a running job. */
export interface TranscodeControl {
  readonly type: 'cancel' | 'stop';
  readonly jobId: string;
}

/** user → subscribers of a user's notifications: the persisted notification, dates as ISO strings. */
export interface NotificationAdded {
  readonly id: string;
  readonly eventId: string;
  readonly userId: string;
  readonly kind: string;
  readonly title: string;
  readonly body: string;
  readonly link: string | null;
  readonly readAt: string | null;
  readonly createdAt: string;
}

/**
 * Every topic, declared once: a fixed name, or a function of the entity's id for per-entity topics (its return type
 * is the name's pattern, e.g. `farm.plot.${string}.activity`). `EventPayloads` gives each one's payload.
 */
export const topics = {
  accessRevoked: 'auth.access.revoked',
  userRegistered: 'auth.user.registered',
  userDeleted: 'auth.user.deleted',
  userDataErased: 'account.data.erased',
  notificationRequested: 'user.notification.requested',
  farmChanged: 'farm.farm.changed',
  rentalChanged: 'farm.rental.changed',
  liveTranscodeRequested: 'transcoding.live.requested',
  liveTranscodeStopRequested: 'transcoding.live.stop.requested',
  liveTranscodeStatus: 'transcoding.live.status',
  liveHlsProgress: 'transcoding.live.hls.progress',
  transcoderCapacity: 'transcoding.capacity',
  cameraChanged: 'streaming.camera.changed',
  timelapseReady: 'transcoding.timelapse.ready',
  plotTimelapseReady: 'streaming.timelapse.ready',
  recordingsExpired: 'transcoding.recordings.expired',
  bookingChanged: 'farm.booking.changed',
  bookingReleaseRequested: 'payment.booking.release.requested',
  paymentChanged: 'payment.payment.changed',
  /** transcoding: the service tells its worker processes to cancel or stop a running job. */
  transcodeControl: 'transcoding.control',
  plotActivity: (plotId: string) => `farm.plot.${plotId}.activity` as const,
  streamStatus: (streamId: string) => `streaming.stream.${streamId}.status` as const,
  viewerCount: (streamId: string) => `streaming.stream.${streamId}.viewers` as const,
  /** A camera of the farm went offline or came back. */
  cameraHealth: (farmId: string) => `streaming.farm.${farmId}.camera-health` as const,
  transcodeJob: (jobId: string) => `transcoding.job.${jobId}` as const,
  notification: (userId: string) => `user.${userId}.notification` as const,
  /** streaming: who may watch a plot's cameras changed (a rental projection was applied); subscriptions re-check. */
  plotWatchers: (plotId: string) => `streaming.plot.${plotId}.watchers` as const,
  /** streaming: who may watch a camera changed (made public or private, moved to another plot, removed). */
  cameraWatchers: (cameraId: string) => `streaming.camera.${cameraId}.watchers` as const,
} as const;

/**
 * The payload of every topic of `topics` (per-entity ones by their name's pattern): the bus's `publish` and
 * `subscribe` and the outbox's `enqueue` take the topic and check the payload against it, so a producer cannot put
 * the wrong payload on a topic, nor a subscriber read another one.
 */
export interface EventPayloads {
  'auth.access.revoked': AccessRevoked;
  'auth.user.registered': UserRegistered;
  'auth.user.deleted': UserDeleted;
  'account.data.erased': UserDataErased;
  'user.notification.requested': NotificationRequested;
  'farm.farm.changed': FarmChanged;
  'farm.rental.changed': RentalChanged;
  'transcoding.live.requested': LiveTranscodeRequested;
  'transcoding.live.stop.requested': LiveTranscodeStopRequested;
  'transcoding.live.status': LiveTranscodeStatus;
  'transcoding.live.hls.progress': LiveHlsProgress;
  'transcoding.capacity': TranscoderCapacity;
  'streaming.camera.changed': CameraChanged;
  'transcoding.timelapse.ready': TimelapseReady;
  'streaming.timelapse.ready': PlotTimelapseReady;
  'transcoding.recordings.expired': RecordingsExpired;
  'farm.booking.changed': BookingChanged;
  'payment.booking.release.requested': BookingReleaseRequested;
  'payment.payment.changed': PaymentChanged;
  'transcoding.control': TranscodeControl;
  [plotActivity: `farm.plot.${string}.activity`]: PlotActivity;
  [streamStatus: `streaming.stream.${string}.status`]: StreamSnapshot;
  [viewerCount: `streaming.stream.${string}.viewers`]: ViewerCountEvent;
  [cameraHealth: `streaming.farm.${string}.camera-health`]: CameraHealthChanged;
  [transcodeJob: `transcoding.job.${string}`]: TranscodeJobEvent;
  [notification: `user.${string}.notification`]: NotificationAdded;
  [plotWatchers: `streaming.plot.${string}.watchers`]: PlotWatchersChanged;
  [cameraWatchers: `streaming.camera.${string}.watchers`]: CameraWatchersChanged;
}
/** Any topic of `topics`: a fixed name, or a per-entity name matching one of the patterns. */
export type EventTopic = keyof EventPayloads & string;
type TopicOf<V> = V extends (id: string) => infer Name ? Name : V;
type DeclaredTopic = TopicOf<(typeof topics)[keyof typeof topics]>;
/** Compile-time check: every topic of `topics` has a payload type here, and every payload type a topic there. */
const EVENT_PAYLOADS_COMPLETE: [DeclaredTopic] extends [EventTopic]
  ? [Exclude<EventTopic, DeclaredTopic>] extends [never]
    ? true
    : never
  : never = true;

/**
 * Fixed topics that stay on the live bus only, never in the outbox: every replica must hear them (a revocation; a
 * transcoder's heartbeat; a job's control message) and a missed one is superseded by the next or caught up another
 * way (revocations: the auth feed; HLS progress: the playlist in S3). Every other fixed topic is a durable event;
 * per-entity topics (the functions of `topics`) are live only.
 */
const liveOnlyTopics: ReadonlySet<string> = new Set([
  topics.accessRevoked,
  topics.liveHlsProgress,
  topics.transcoderCapacity,
  topics.transcodeControl,
]);
const durableTopics: ReadonlySet<string> = new Set(
  Object.values(topics).filter((t): t is Extract<typeof t, string> => typeof t === 'string' && !liveOnlyTopics.has(t)),
);

/** Whether a topic's events go through the outbox and JetStream (see liveOnlyTopics). */
export const isDurableTopic = (topic: string): boolean => durableTopics.has(topic);
