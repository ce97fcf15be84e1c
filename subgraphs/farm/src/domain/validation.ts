import { z } from 'zod';
import { badInput } from '@vegshare/kit';
import { isIsoDate } from './dates.ts';

// Postgres refuses NUL in text and control characters have no business in names; refusing them keeps every
// bad input a BAD_USER_INPUT instead of a database error.
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are refused
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export const text = (max: number, min = 0) =>
  z
    .string()
    .max(max, `at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), 'must not contain control characters')
    .transform((s) => s.trim())
    .refine((s) => s.length >= min, min === 1 ? 'must not be empty' : `at least ${min} characters`);

/** A key in our media bucket: path segments of letters, digits, `_ . -`; no scheme, no `..`, no leading slash. */
const STORAGE_KEY = /^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

/** An https URL on a real host without credentials: what a client may show or fetch without being fooled. */
function isHttpsUrl(value: string): boolean {
  if (!value.startsWith('https://')) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname.length > 0 && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

/**
 * A photo: a key in the media bucket (no scheme at all, so never `javascript:` or `data:`), or an https URL; nothing
 * else is stored, since clients put these in `src`/`href`.
 */
const photoReference = z
  .string()
  .min(1)
  .max(512)
  .refine(
    (s) => STORAGE_KEY.test(s) || isHttpsUrl(s),
    'must be an https:// URL or a media key such as farms/green-acres/1.jpg',
  );

/** S3 keys or https URLs of photos; at most 20. */
export const photoList = z.array(photoReference).max(20, 'at most 20 photos');

/** Calendar date YYYY-MM-DD between 2000 and 2100. */
export const isoDate = z
  .string()
  .refine(isIsoDate, 'must be a date YYYY-MM-DD')
  .refine((s) => s >= '2000-01-01' && s < '2100-01-01', 'must be between 2000 and 2100');

export const uuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i, 'must be a UUID');
export const month = z.number().int().min(1).max(12);
export const latitude = z.number().min(-90).max(90);
export const longitude = z.number().min(-180).max(180);
export const cents = z.number().int().min(0).max(100_000_000);
export const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like EUR');

/** Parses `value` or throws BAD_USER_INPUT naming the first bad field (`prefix.path`). */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [prefix, ...(issue?.path ?? []).map(String)].filter((p): p is string => Boolean(p)).join('.');
  throw badInput(`${path || 'input'}: ${issue?.message ?? 'invalid'}`, path || undefined);
}

/** Drops undefined and null (omitted fields of an update input stay unchanged). */
export function definedOnly<T extends Record<string, unknown>>(
  value: T,
): { [K in keyof T]?: Exclude<T[K], null | undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) out[k] = v;
  return out as { [K in keyof T]?: Exclude<T[K], null | undefined> };
}
