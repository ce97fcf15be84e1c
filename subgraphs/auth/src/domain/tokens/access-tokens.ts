import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import type { Role } from '@vegshare/kit';
import { SIGNING_ALG, type SigningKeyStore } from '../keys/key-store.ts';

export interface AccessTokenSubject {
  readonly userId: string;
  readonly roles: readonly Role[];
  /** The session (refresh-token family) for user tokens; absent for partner API-key tokens. */
  readonly sessionId?: string;
  /** Space-separated into the `scope` claim (partner API keys). */
  readonly scopes?: readonly string[];
  /** The API key a partner token was exchanged for, or the partner OAuth client's id (the credential behind the token). */
  readonly apiKeyId?: string;
  /** The OAuth client's public client_id (RFC 9068 `client_id`), for client_credentials tokens. */
  readonly clientId?: string;
}

export interface IssuedToken {
  readonly token: string;
  readonly expiresIn: number;
}

/** Signs short-lived access JWTs (EdDSA, `kid` header, iss/aud/sub/sid/roles/scope, jti) with the current key. */
export class AccessTokenIssuer {
  constructor(
    private readonly keys: SigningKeyStore,
    private readonly issuer: string,
    private readonly audience: string,
  ) {}

  async issue(subject: AccessTokenSubject, ttlSeconds: number): Promise<IssuedToken> {
    const { kid, key } = await this.keys.signer();
    const claims: Record<string, unknown> = { roles: [...subject.roles] };
    if (subject.sessionId) claims['sid'] = subject.sessionId;
    if (subject.scopes) claims['scope'] = subject.scopes.join(' ');
    if (subject.apiKeyId) claims['akid'] = subject.apiKeyId;
    if (subject.clientId) claims['client_id'] = subject.clientId;
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: 'at+jwt' })
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setSubject(subject.userId)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(key);
    return { token, expiresIn: ttlSeconds };
  }
}
