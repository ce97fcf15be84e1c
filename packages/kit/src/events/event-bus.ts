/**
 * A message on a topic, delivered to every subscriber in every replica (at most once, best effort). `eventId` is set
 * when the message is a durable event carried by this bus (the in-process default, see BusEventStream).
 */
export type EventHandler<T> = (payload: T, eventId?: string) => void;

export interface EventBus {
  /** `eventId`: the durable event's outbox id, handed to subscribers (BusEventStream de-duplicates by it). */
  publish<T>(topic: string, payload: T, eventId?: string): Promise<void>;
  /**
   * Resolves once the subscription is active — or, on a bus that reports its connection, once that connection is
   * known to be down: the subscription then becomes active before `onConnectionChange` reports it back. The returned
   * function unsubscribes.
   */
  subscribe<T>(topic: string, handler: EventHandler<T>): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /**
   * Told the connection's state at once, then whenever the bus loses its connection (false) and when it is back
   * (true); events published in between may never arrive. Absent on buses that cannot lose events in transit (the in-process bus). Returns the function that stops
   * telling.
   */
  onConnectionChange?(listener: (connected: boolean) => void): () => void;
}

/** Topic names shared by publishers and subscribers. */
export const topics = {
  plotActivity: (plotId: string) => `farm.plot.${plotId}.activity`,
  streamStatus: (streamId: string) => `streaming.stream.${streamId}.status`,
  viewerCount: (streamId: string) => `streaming.stream.${streamId}.viewers`,
  /** A camera of the farm went offline or came back (payload: { cameraId }). */
  cameraHealth: (farmId: string) => `streaming.farm.${farmId}.camera-health`,
  transcodeJob: (jobId: string) => `transcoding.job.${jobId}`,
  notification: (userId: string) => `user.${userId}.notification`,
  /** streaming: who may watch a plot's cameras changed (a rental projection was applied); subscriptions re-check. */
  plotWatchers: (plotId: string) => `streaming.plot.${plotId}.watchers`,
  /** streaming: who may watch a camera changed (made public or private, moved to another plot, removed). */
  cameraWatchers: (cameraId: string) => `streaming.camera.${cameraId}.watchers`,
} as const;
