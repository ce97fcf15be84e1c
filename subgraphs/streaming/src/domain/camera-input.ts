import { z } from 'zod';
import { badInput } from '@vegshare/kit';
import type { RegisterCameraInput, UpdateCameraInput } from '../__generated__/resolvers-types.ts';

/** Camera sources we can pull: RTSP(S) and RTMP(S) only, with a host, no credentials-in-whitespace tricks. */
const SOURCE_PROTOCOLS = new Set(['rtsp:', 'rtsps:', 'rtmp:', 'rtmps:']);
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are refused
const SPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are refused
const CONTROL = /[\u0000-\u001f\u007f]/;

const sourceUrlSchema = z
  .string()
  .max(2048, 'at most 2048 characters')
  .refine((s) => !SPACE_OR_CONTROL.test(s), 'must not contain spaces or control characters')
  .refine((s) => {
    if (!URL.canParse(s)) return false;
    const url = new URL(s);
    return SOURCE_PROTOCOLS.has(url.protocol) && url.hostname.length > 0;
  }, 'expected an rtsp://, rtsps://, rtmp:// or rtmps:// URL with a host');

const cameraNameSchema = z
  .string()
  .transform((s) => s.trim())
  .pipe(
    z
      .string()
      .min(1, 'must not be empty')
      .max(80, 'at most 80 characters')
      .refine((s) => !CONTROL.test(s), 'must not contain control characters'),
  );

const id = z.string().uuid('expected a UUID');

const registerSchema = z.object({
  farmId: id,
  plotId: id.nullish(),
  name: cameraNameSchema,
  sourceUrl: sourceUrlSchema,
  enabled: z.boolean().nullish(),
  public: z.boolean().nullish(),
});

const updateSchema = z.object({
  plotId: id.nullish(),
  name: cameraNameSchema.nullish(),
  sourceUrl: sourceUrlSchema.nullish(),
  enabled: z.boolean().nullish(),
  public: z.boolean().nullish(),
});

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') ?? '';
  throw badInput(`${field ? `${field}: ` : ''}${issue?.message ?? 'invalid input'}`, field || undefined);
}

export interface CameraCreate {
  readonly farmId: string;
  readonly plotId: string | null;
  readonly name: string;
  readonly sourceUrl: string;
  readonly enabled: boolean;
  readonly isPublic: boolean;
}

export function parseRegisterCamera(input: RegisterCameraInput): CameraCreate {
  const v = parse(registerSchema, input);
  return {
    farmId: v.farmId.toLowerCase(),
    plotId: v.plotId?.toLowerCase() ?? null,
    name: v.name,
    sourceUrl: v.sourceUrl,
    enabled: v.enabled ?? true,
    isPublic: v.public ?? false,
  };
}

/** Only the fields present change; `plotId: null` detaches, other nulls mean "unchanged" (they are non-null columns). */
export interface CameraPatch {
  plotId?: string | null;
  name?: string;
  sourceUrl?: string;
  enabled?: boolean;
  isPublic?: boolean;
}

export function parseUpdateCamera(input: UpdateCameraInput): CameraPatch {
  const v = parse(updateSchema, input);
  const patch: CameraPatch = {};
  if (v.plotId !== undefined) patch.plotId = v.plotId?.toLowerCase() ?? null;
  if (v.name != null) patch.name = v.name;
  if (v.sourceUrl != null) patch.sourceUrl = v.sourceUrl;
  if (v.enabled != null) patch.enabled = v.enabled;
  if (v.public != null) patch.isPublic = v.public;
  return patch;
}
