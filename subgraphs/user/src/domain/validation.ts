import { z } from 'zod';
import { badInput } from '@vegshare/kit';
import type { GraphQLError } from 'graphql';
import { canonicalTimeZone } from './time-zones.ts';

/** Control characters (a single-line field allows none; multi-line ones allow \n and \t). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are refused
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are refused
const CONTROL_EXCEPT_NEWLINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/** A UTF-16 surrogate without its pair cannot be stored as UTF-8 text. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** True for text Postgres can store and people can read: no control characters, no lone surrogates. */
export const isCleanLine = (s: string): boolean => !CONTROL.test(s) && !LONE_SURROGATE.test(s);
export const isCleanText = (s: string): boolean => !CONTROL_EXCEPT_NEWLINE.test(s) && !LONE_SURROGATE.test(s);

const line = (min: number, max: number) =>
  z
    .string()
    .transform((s) => s.normalize('NFC').trim())
    .pipe(
      z
        .string()
        .min(min, min === 1 ? 'must not be empty' : `must be at least ${min} characters`)
        .max(max, `must be at most ${max} characters`)
        .refine(isCleanLine, 'must not contain control characters or broken unicode'),
    );

const text = (max: number) =>
  z
    .string()
    .transform((s) => s.normalize('NFC').trim())
    .pipe(
      z
        .string()
        .max(max, `must be at most ${max} characters`)
        .refine(isCleanText, 'must not contain control characters or broken unicode'),
    );

/** E.164: '+', country code, up to 15 digits; spaces, dots, dashes and parentheses are accepted and removed. */
const phoneSchema = z
  .string()
  .max(32, 'must be an E.164 phone number such as +33612345678')
  .transform((s) => s.replace(/[\s().-]/g, ''))
  .pipe(z.string().regex(/^\+[1-9]\d{1,14}$/, 'must be an E.164 phone number such as +33612345678'));

/** BCP 47 language tag, stored in canonical form ('en-gb' → 'en-GB'). */
const localeSchema = z
  .string()
  .trim()
  .max(35, 'must be a BCP 47 locale such as en-GB')
  .transform((s, ctx) => {
    try {
      const [canonical] = Intl.getCanonicalLocales(s);
      if (canonical && /^[a-z]{2,3}(-|$)/i.test(canonical)) return canonical;
    } catch {
      // RangeError: not a well-formed tag
    }
    ctx.addIssue({ code: 'custom', message: 'must be a BCP 47 locale such as en-GB' });
    return z.NEVER;
  });

/** IANA zone name known to the runtime's Intl (not a raw offset), stored in the runtime's canonical spelling. */
const timeZoneSchema = z
  .string()
  .trim()
  .max(64, 'must be an IANA time zone such as Europe/Paris')
  .transform((s, ctx) => {
    const canonical = /^[A-Za-z][A-Za-z_]*(\/[A-Za-z0-9_+-]+){0,2}$/.test(s) ? canonicalTimeZone(s) : null;
    if (canonical !== null) return canonical;
    ctx.addIssue({ code: 'custom', message: 'must be an IANA time zone such as Europe/Paris' });
    return z.NEVER;
  });

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
/** zod runs refinements even after a failed regex, so this guards the shape itself (DisplayNames throws on bad codes). */
/** Codes ICU names that are not countries: user-assigned ranges (except XK, Kosovo) and groupings. */
const NOT_COUNTRIES = /^(AA|Q[M-Z]|X[A-JL-Z]|ZZ|EU|EZ|UN)$/;
const isKnownRegion = (code: string): boolean =>
  /^[A-Z]{2}$/.test(code) && !NOT_COUNTRIES.test(code) && regionNames.of(code) !== undefined;
/** ISO 3166-1 alpha-2 code of a region Intl knows, upper case. */
const countryCodeSchema = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .pipe(
    z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as FR')
      .refine(isKnownRegion, 'is not a known country code'),
  );

export const displayNameSchema = line(1, 80);

export const updateProfileSchema = z.object({
  displayName: displayNameSchema.optional(),
  phone: phoneSchema.nullable().optional(),
  locale: localeSchema.optional(),
  timeZone: timeZoneSchema.optional(),
});
export type ProfileChanges = z.infer<typeof updateProfileSchema>;

const addressFields = {
  label: line(0, 40),
  recipientName: line(1, 120),
  line1: line(1, 200),
  line2: line(0, 200),
  postalCode: line(1, 16).pipe(
    z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 -]*$/, 'must contain only letters, digits, spaces and dashes'),
  ),
  city: line(1, 100),
  region: line(0, 100),
  countryCode: countryCodeSchema,
  phone: phoneSchema,
  instructions: text(500),
};

export const addressInputSchema = z.object({
  label: addressFields.label.nullish().transform((v) => v ?? ''),
  recipientName: addressFields.recipientName,
  line1: addressFields.line1,
  line2: addressFields.line2.nullish().transform((v) => v ?? ''),
  postalCode: addressFields.postalCode,
  city: addressFields.city,
  region: addressFields.region.nullish().transform((v) => v ?? ''),
  countryCode: addressFields.countryCode,
  phone: addressFields.phone.nullish().transform((v) => v ?? null),
  instructions: addressFields.instructions.nullish().transform((v) => v ?? ''),
  isDefault: z
    .boolean()
    .nullish()
    .transform((v) => v ?? false),
});
export type AddressInput = z.infer<typeof addressInputSchema>;

/** Omitted (or null, for required columns) fields stay as they are; `phone: null` removes the phone. */
export const addressPatchSchema = z.object({
  label: addressFields.label.nullish(),
  recipientName: addressFields.recipientName.nullish(),
  line1: addressFields.line1.nullish(),
  line2: addressFields.line2.nullish(),
  postalCode: addressFields.postalCode.nullish(),
  city: addressFields.city.nullish(),
  region: addressFields.region.nullish(),
  countryCode: addressFields.countryCode.nullish(),
  phone: addressFields.phone.nullable().optional(),
  instructions: addressFields.instructions.nullish(),
});
export type AddressPatch = z.infer<typeof addressPatchSchema>;

/** Notification kinds are short lowercase identifiers chosen by the sending service. */
export const notificationKindSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_.-]{0,39}$/, 'must be a notification kind such as rental');

/** Parses with zod; the first problem becomes a BAD_USER_INPUT error naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw inputError(result.error, prefix);
}

function inputError(error: z.ZodError, prefix?: string): GraphQLError {
  const issue = error.issues[0];
  const path = [prefix, ...(issue?.path ?? [])].filter((p) => p !== undefined && p !== '').join('.');
  return badInput(`${path || 'input'} ${issue?.message ?? 'is invalid'}`, path || undefined);
}
