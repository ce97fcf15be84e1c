import type { IncomingHttpHeaders } from 'node:http';
import { isUniqueViolation } from '@vegshare/kit';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import type { AuthDb } from '../../db.ts';
import type { OAuthClient as ClientRow } from '../../generated/prisma/client.ts';
import { constantTimeEqual, sha256 } from '../../domain/secrets.ts';
import { ASSERTION_ALGORITHMS, type OAuthClients } from '../../domain/oauth-clients.ts';
import { OAuthError } from './errors.ts';

const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** A client assertion may live at most this long (its jti is remembered until it expires). */
const MAX_ASSERTION_LIFETIME_S = 600;
const CLOCK_TOLERANCE_S = 30;

const invalidClient = (basic: boolean, description = 'Client authentication failed') =>
  new OAuthError(401, 'invalid_client', description, basic);

/** RFC 6749 §2.3.1: client id and secret are form-urlencoded before they are put in the Basic header. */
function basicCredentials(headers: IncomingHttpHeaders): { id: string; secret: string } | null {
  const header = headers.authorization;
  if (!header) return null;
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!match?.[1]) throw new OAuthError(400, 'invalid_request', 'Authorization must be Basic with client credentials');
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw invalidClient(true);
  try {
    return {
      id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
      secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
    };
  } catch {
    throw invalidClient(true);
  }
}

export interface ClientAuthContext {
  /** Audiences a client assertion may name: our issuer and the endpoint URLs. */
  readonly audiences: readonly string[];
}

/**
 * Authenticates the client of a token, introspection or revocation request by exactly one method: Basic, the body's
 * client_secret, or a private_key_jwt assertion (RFC 7523: signed by a registered key, iss = sub = client_id, our
 * issuer or endpoint as aud, short-lived, jti single use). The method must be the one the client registered.
 */
export async function authenticateClient(
  db: AuthDb,
  clients: OAuthClients,
  headers: IncomingHttpHeaders,
  body: URLSearchParams,
  context: ClientAuthContext,
): Promise<ClientRow> {
  const basic = basicCredentials(headers);
  const postedSecret = body.get('client_secret');
  const assertion = body.get('client_assertion');
  const assertionType = body.get('client_assertion_type');
  const methods = [basic, postedSecret, assertion].filter((m) => m !== null).length;
  if (methods === 0) throw invalidClient(false, 'Client authentication is required');
  if (methods > 1) throw new OAuthError(400, 'invalid_request', 'Use exactly one client authentication method');
  const bodyClientId = body.get('client_id');

  if (basic) {
    if (bodyClientId !== null && bodyClientId !== basic.id)
      throw new OAuthError(400, 'invalid_request', 'client_id does not match the Authorization header');
    const client = await clients.active(basic.id);
    if (
      !client?.secretHash ||
      client.authMethod !== 'client_secret_basic' ||
      !constantTimeEqual(client.secretHash, sha256(basic.secret))
    )
      throw invalidClient(true);
    return client;
  }
  if (postedSecret !== null) {
    const client = bodyClientId ? await clients.active(bodyClientId) : null;
    if (
      !client?.secretHash ||
      client.authMethod !== 'client_secret_post' ||
      !constantTimeEqual(client.secretHash, sha256(postedSecret))
    )
      throw invalidClient(false);
    return client;
  }
  if (assertionType !== JWT_BEARER_ASSERTION || !assertion)
    throw new OAuthError(400, 'invalid_request', `client_assertion_type must be ${JWT_BEARER_ASSERTION}`);
  let claimed: string | undefined;
  try {
    claimed = decodeJwt(assertion).sub;
  } catch {
    throw invalidClient(false);
  }
  if (!claimed || (bodyClientId !== null && bodyClientId !== claimed)) throw invalidClient(false);
  const client = await clients.active(claimed);
  if (!client?.jwks || client.authMethod !== 'private_key_jwt') throw invalidClient(false);
  let jti: string;
  let exp: number;
  try {
    const { payload } = await jwtVerify(assertion, createLocalJWKSet(client.jwks as unknown as JSONWebKeySet), {
      issuer: client.clientId,
      subject: client.clientId,
      audience: [...context.audiences],
      algorithms: [...ASSERTION_ALGORITHMS],
      requiredClaims: ['exp', 'jti'],
      clockTolerance: CLOCK_TOLERANCE_S,
    });
    jti = String(payload.jti);
    exp = payload.exp as number;
  } catch {
    throw invalidClient(false);
  }
  if (exp - Date.now() / 1000 > MAX_ASSERTION_LIFETIME_S || jti.length > 200)
    throw invalidClient(false, 'The client assertion lives too long');
  try {
    await db.oAuthAssertion.create({
      data: { clientId: client.id, jti, expiresAt: new Date((exp + CLOCK_TOLERANCE_S) * 1000) },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw invalidClient(false, 'The client assertion was already used');
    throw error;
  }
  return client;
}
