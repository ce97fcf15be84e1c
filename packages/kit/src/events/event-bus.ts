/** A message on a topic, delivered to every subscriber in every replica (at most once, best effort). */
export type EventHandler<T> = (payload: T) => void;

export interface EventBus {
  publish<T>(topic: string, payload: T): Promise<void>;
  /** Resolves once the subscription is active; the returned function unsubscribes. */
  subscribe<T>(topic: string, handler: EventHandler<T>): Promise<() => Promise<void>>;
  close(): Promise<void>;
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
} as const;
