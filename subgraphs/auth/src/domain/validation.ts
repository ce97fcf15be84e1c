import { z } from 'zod';
import { badInput, ROLES } from '@vegshare/kit';

/** Scopes a partner API key may carry; the gateway and subgraphs enforce them per field. */
export const API_SCOPES = [
  'farms:read',
  'plots:read',
  'crops:read',
  'rentals:read',
  'rentals:write',
  'streams:read',
] as const;

// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are refused
export const CONTROL = /[\u0000-\u001f\u007f]/;
/** Longest password accepted at sign-in (new passwords are limited to 128 by the policy). */
const LOGIN_PASSWORD_MAX = 1024;

export const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'Email is too long')
  .pipe(z.email('Enter a valid email address'));
const opaqueToken = z
  .string()
  .min(16, 'The token is invalid')
  .max(256, 'The token is invalid')
  .regex(/^[A-Za-z0-9_-]+$/, 'The token is invalid');
const uuid = z.uuid('Expected an id');
/** What an API key or an OAuth client is called and may do: a printable name and a set of our scopes. */
export const credentialGrant = {
  name: z
    .string()
    .trim()
    .min(1, 'Name is required')
    .max(80, 'Name must be at most 80 characters')
    .refine((s) => !CONTROL.test(s), 'Name must not contain control characters'),
  scopes: z
    .array(z.enum(API_SCOPES, { message: `Scopes must be among: ${API_SCOPES.join(', ')}` }))
    .min(1, 'At least one scope is required')
    .max(API_SCOPES.length)
    .transform((s) => [...new Set(s)]),
};

export const inputs = {
  email,
  register: z.object({
    email,
    password: z.string(),
    displayName: z
      .string()
      .trim()
      .min(1, 'Display name is required')
      .max(80, 'Display name must be at most 80 characters')
      .refine((s) => !CONTROL.test(s), 'Display name must not contain control characters'),
  }),
  completeSignUp: z.object({ token: z.string().min(1).max(200), password: z.string().max(1024) }),
  login: z.object({
    email,
    password: z.string().min(1, 'Password is required').max(LOGIN_PASSWORD_MAX, 'Password is too long'),
    deviceToken: z
      .string()
      .max(200, 'deviceToken is not one of ours')
      .nullish()
      .transform((v) => v ?? null),
  }),
  refreshToken: opaqueToken,
  currentPassword: z.string().min(1, 'Password is required').max(LOGIN_PASSWORD_MAX, 'Password is too long'),
  oneTimeToken: opaqueToken,
  changePassword: z.object({
    currentPassword: z.string().min(1, 'Current password is required').max(LOGIN_PASSWORD_MAX, 'Password is too long'),
    newPassword: z.string(),
  }),
  resetPassword: z.object({ token: opaqueToken, newPassword: z.string() }),
  id: uuid,
  setRoles: z.object({
    userId: uuid,
    roles: z
      .array(z.enum(ROLES))
      .min(1, 'At least one role is required')
      .refine((r) => new Set(r).size === r.length, 'Roles must not repeat'),
  }),
  createApiKey: z.object(credentialGrant),
  apiKey: z
    .string()
    .min(8)
    .max(256)
    .regex(/^vsk_[A-Za-z0-9_-]+$/),
};

/** Parses `value` or throws BAD_USER_INPUT naming the first bad field (`field` is the argument's name). */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, field?: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [field, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.');
  throw badInput(issue?.message ?? 'Invalid input', path || undefined);
}
