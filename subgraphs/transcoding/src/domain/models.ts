/** An entity another subgraph owns (Camera, Farm): this subgraph only knows its key. */
export interface CameraRef {
  readonly id: string;
}

/** What `createVodUpload` answers. */
export interface VodUploadGrant {
  readonly id: string;
  readonly uploadUrl: string;
  readonly contentType: string;
  readonly maxBytes: number;
  readonly expiresAt: Date;
}
