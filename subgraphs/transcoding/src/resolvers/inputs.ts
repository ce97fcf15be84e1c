import { z } from 'zod';
import { badInput } from '@vegshare/kit';
import { DEFAULT_PROFILE, profiles } from '../domain/media/profiles.ts';
import { VOD_CONTENT_TYPES } from '../domain/jobs/vod-uploads.ts';

const uuid = z.string().uuid('expected a UUID');
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .refine(
    (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    'not a calendar day',
  )
  .refine((d) => Date.parse(`${d}T00:00:00Z`) <= Date.now(), 'day is in the future');

export const vodUploadInput = z.object({
  farmId: uuid.transform((s) => s.toLowerCase()),
  cameraId: uuid.nullish().transform((s) => s?.toLowerCase() ?? null),
  contentType: z.enum(VOD_CONTENT_TYPES, { message: `expected one of ${VOD_CONTENT_TYPES.join(', ')}` }),
  sizeBytes: z
    .number()
    .int('expected a whole number of bytes')
    .positive('must be positive')
    .max(Number.MAX_SAFE_INTEGER),
});

export const vodInput = z.object({
  uploadId: uuid.transform((s) => s.toLowerCase()),
  profile: z
    .string()
    .nullish()
    .refine(
      (p) => p === null || p === undefined || p in profiles,
      `unknown profile; one of ${Object.keys(profiles).join(', ')}`,
    )
    .transform((p) => p ?? DEFAULT_PROFILE),
});

export const timelapseInput = z.object({ cameraId: uuid.transform((s) => s.toLowerCase()), day });

/** Validates with zod and turns the first problem into BAD_USER_INPUT naming the field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw badInput(issue?.message ?? 'invalid input', issue?.path.join('.') || undefined);
}
