// The auth service as the app meets it in production: NODE_ENV=production (the old `register` is off, no dev mailbox),
// reached through the gateway, which adds its secret and the client's address. The app's own documents do the
// sign-up; the code is read from the mail auth queued for the address (what the user would find in the inbox).
import { randomInt } from 'node:crypto';
import { print } from 'graphql';
import { HARNESS_GATEWAY_SECRET, startHarness, type Harness } from '../../../subgraphs/auth/test/harness.ts';
import type { AuthPayloadFieldsFragment } from '../../src/gql/graphql';
import { CompleteSignUpDocument, SignUpDocument } from '../../src/graphql/operations';

export const PASSWORD = 'carrots-and-beans-42';

export function startProductionAuth(env: Record<string, string> = {}): Promise<Harness> {
  return startHarness({
    NODE_ENV: 'production',
    AUTH_KEY_ENCRYPTION_SECRET: 'mobile-unit-tests-key-encryption-secret',
    ...env,
  });
}

/** `fetch` as the gateway forwards the app's requests: only callers with the gateway secret reach auth. */
export const throughGateway: typeof fetch = (input, init) =>
  fetch(input, {
    ...init,
    headers: { ...(init?.headers as Record<string, string> | undefined), 'x-gateway-secret': HARNESS_GATEWAY_SECRET },
  });

/** A client address the gateway vouches for: each sign-up its own (auth limits mails per address). */
const clientAddress = () => ({ 'x-forwarded-for': `198.51.100.${randomInt(1, 255)}` });

/** The code of the sign-up mail auth queued for `email`. */
export async function signUpCode(h: Harness, email: string): Promise<string> {
  const mail = await h.db.outboxMessage.findFirst({
    where: { recipient: email, kind: 'EMAIL_VERIFICATION' },
    orderBy: { createdAt: 'desc' },
  });
  const code = /Verification code: ([A-Za-z0-9_-]+)/.exec(mail?.body ?? '')?.[1];
  if (!code) throw new Error(`no sign-up mail for ${email}`);
  return code;
}

/** Signs up as the app does: signUp, the emailed code, completeSignUp. */
export async function signUpAsApp(h: Harness, email: string, password = PASSWORD): Promise<AuthPayloadFieldsFragment> {
  const headers = clientAddress();
  const started = await h.gql<{ signUp: { accepted: boolean } }>(
    print(SignUpDocument),
    { input: { email, password, displayName: 'App User' } },
    headers,
  );
  if (!started.body.data?.signUp.accepted) throw new Error(`signUp failed: ${JSON.stringify(started.body.errors)}`);
  const completed = await h.gql<{ completeSignUp: AuthPayloadFieldsFragment }>(
    print(CompleteSignUpDocument),
    { input: { token: await signUpCode(h, email), password } },
    headers,
  );
  if (!completed.body.data?.completeSignUp)
    throw new Error(`completeSignUp failed: ${JSON.stringify(completed.body.errors)}`);
  return completed.body.data.completeSignUp;
}
