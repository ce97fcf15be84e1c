/** Arguments of one ffmpeg run, in the shape fluent-ffmpeg takes them ("-option value" strings). */
export interface FfmpegPlan {
  readonly inputOptions: readonly string[];
  readonly complexFilter: string | null;
  readonly outputs: readonly { readonly path: string; readonly options: readonly string[] }[];
}

/** A timelapse: still frames (snapshots) shown `frameRate` a second, as a 30 fps H.264 MP4 that starts at once. */
export function timelapsePlan(
  input: { kind: 'frames'; frameRate: number },
  preset: string,
  output: string,
): FfmpegPlan {
  return {
    inputOptions: [`-framerate ${input.frameRate}`],
    complexFilter: null,
    outputs: [
      {
        path: output,
        options: [
          '-vf scale=-2:720:flags=bicubic,fps=30',
          '-c:v libx264',
          `-preset ${preset}`,
          '-pix_fmt yuv420p',
          '-movflags +faststart',
          '-an',
        ],
      },
    ],
  };
}

/** Thumbnails only: one JPEG every `everySeconds`. */
export function thumbnailPlan(everySeconds: number): FfmpegPlan {
  return {
    inputOptions: [],
    complexFilter: null,
    outputs: [
      {
        path: 'thumbnails/thumb_%05d.jpg',
        options: ['-map 0:v:0', `-vf fps=1/${everySeconds},scale=-2:360`, '-f image2', '-q:v 4'],
      },
    ],
  };
}
