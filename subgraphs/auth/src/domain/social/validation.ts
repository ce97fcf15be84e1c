import { z } from 'zod';
import { CONTROL, credentialGrant, email } from '../validation.ts';
import type { CLIENT_AUTH_METHODS } from '../oauth-clients.ts';
/** Our own opaque values (state, tickets, codes): 43 base64url characters. */
const opaque = (message: string) => z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, message);
/** What a provider puts in its redirect: bounded, printable. */
const fromProvider = (max: number, message: string) =>
  z
    .string()
    .min(1, message)
    .max(max, message)
    .refine((s) => !CONTROL.test(s), message);

export const socialInputs = {
  provider: z.enum(['VK', 'YANDEX', 'GOOGLE', 'APPLE']).transform((p) => p.toLowerCase()),
  redirectUri: z.string().min(1).max(512, 'This redirect URI is not allowed'),
  complete: z.object({
    state: opaque('This sign-in has expired or was already used; start again'),
    code: fromProvider(2048, 'The code is invalid'),
    iss: fromProvider(512, 'iss is invalid')
      .nullish()
      .transform((v) => v ?? null),
    deviceId: fromProvider(512, 'deviceId is invalid')
      .nullish()
      .transform((v) => v ?? null),
  }),
  ticket: opaque('This sign-in has expired or was already finished; start again'),
  code: opaque('This link is invalid or has expired; start the sign-in again'),
  password: z.string().min(1, 'Password is required').max(1024, 'Password is too long'),
  optionalEmail: email.nullish().transform((v) => v ?? null),
  id: z.uuid('Expected an id'),
  createOAuthClient: z.object({
    ...credentialGrant,
    authMethod: z
      .enum(['CLIENT_SECRET_BASIC', 'CLIENT_SECRET_POST', 'PRIVATE_KEY_JWT'])
      .transform((m) => m.toLowerCase() as (typeof CLIENT_AUTH_METHODS)[number]),
    jwks: z
      .string()
      .max(16_384)
      .nullish()
      .transform((v) => v ?? null),
    partnerId: z
      .uuid('Expected an id')
      .nullish()
      .transform((v) => v ?? null),
  }),
};
