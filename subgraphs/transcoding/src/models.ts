/** A camera as this subgraph knows it: only its key (streaming owns the rest). */
export interface CameraRef {
  readonly id: string;
}
