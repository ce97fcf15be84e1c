import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BodyTooLargeError,
  isLoopbackAddress,
  readBody,
  sendJson,
  type RevocationSource,
  type RouteHandler,
} from '@vegshare/kit';
import type { Logger } from 'pino';
import type { AuthDb } from '../../db.ts';
import { mailboxOf } from '../../domain/outbox.ts';
import type { AuthServices } from '../../domain/auth-services.ts';
import { inputs } from '../../domain/validation.ts';

/** GET /.well-known/jwks.json: the public keys that verify access tokens (current and recently retired). */
export function jwksRoute(services: AuthServices): RouteHandler {
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
    const body = JSON.stringify(await services.keys.jwks());
    res.writeHead(200, {
      'content-type': 'application/jwk-set+json',
      'cache-control': 'public, max-age=60',
      'content-length': Buffer.byteLength(body),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

/**
 * GET /dev/mailbox?email=…: mail queued in the outbox for an address (NODE_ENV=development only, DEV_MAILBOX), and
 * only to a client on this machine: it hands out reset links, so it must never be reachable from a network.
 */
export function devMailboxRoute(db: AuthDb): RouteHandler {
  return async (req, res, search) => {
    if (!isLoopbackAddress(req.socket.remoteAddress) || req.headers['x-forwarded-for'] !== undefined)
      return sendJson(res, 403, { error: 'the dev mailbox answers only on loopback' });
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' });
    const email = new URLSearchParams(search).get('email');
    if (!email) return sendJson(res, 400, { error: 'pass ?email=' });
    const messages = await mailboxOf(db, email);
    sendJson(res, 200, {
      email: email.trim().toLowerCase(),
      messages: messages.map((m) => ({ ...m, createdAt: m.createdAt.toISOString() })),
    });
  };
}

const invalidKey = (res: ServerResponse) => sendJson(res, 401, { error: 'invalid_api_key' });

/**
 * POST /internal/api-key-token {"apiKey": "vsk_…"} → { accessToken, expiresIn, keyId, partnerId } or 401.
 * Behind the gateway-secret guard: only the gateway exchanges partner keys (it caches the token and rate-limits per key).
 */
export function apiKeyTokenRoute(services: AuthServices, logger: Logger): RouteHandler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'method not allowed' });
    let payload: unknown;
    try {
      payload = JSON.parse(await readBody(req, 4096));
    } catch (error) {
      if (error instanceof BodyTooLargeError) return sendJson(res, 413, { error: 'body too large' });
      return sendJson(res, 400, { error: 'expected JSON {"apiKey": "..."}' });
    }
    const apiKey =
      typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)['apiKey'] : undefined;
    const parsed = inputs.apiKey.safeParse(apiKey);
    if (!parsed.success) return invalidKey(res);
    const token = await services.apiKeys.exchange(parsed.data);
    if (!token) {
      logger.info('api key exchange refused');
      return invalidKey(res);
    }
    sendJson(res, 200, token);
  };
}

/**
 * GET /internal/revocations?since=<ms>: every session, role, API-key, OAuth-client, single-token and account-deletion
 * change since then (at most the last 20 minutes), for the other services' catch-up when revocation events may have
 * been lost. Behind the gateway secret.
 */
export function revocationsRoute(source: RevocationSource): RouteHandler {
  return async (req, res, search) => {
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' });
    const since = Number(new URLSearchParams(search).get('since'));
    if (!Number.isFinite(since)) return sendJson(res, 400, { error: 'pass ?since=<ms since the epoch>' });
    const changes = await source.changesSince(Math.max(since, Date.now() - 20 * 60_000));
    sendJson(res, 200, { changes });
  };
}
