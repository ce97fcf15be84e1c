import type { ServerResponse } from 'node:http';

/** An OAuth 2.0 error response (RFC 6749 §5.2): `{"error", "error_description"}` with its status. */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';

  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    /** The client tried HTTP Basic: a 401 then carries `WWW-Authenticate: Basic`. */
    readonly basic = false,
    readonly retryAfterSeconds?: number,
  ) {
    super(description);
  }
}

/** Token endpoint answers are never cached (RFC 6749 §5.1). */
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

export function sendOAuthJson(
  res: ServerResponse,
  status: number,
  payload: unknown,
  extra: Record<string, string> = {},
): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...NO_STORE,
    ...extra,
  });
  res.end(body);
}

export function sendOAuthError(res: ServerResponse, err: OAuthError): void {
  const headers: Record<string, string> = {};
  // RFC 6749 §5.2: a client that tried HTTP Basic is challenged for Basic; other methods get the 401 body alone.
  if (err.status === 401 && err.basic) headers['www-authenticate'] = 'Basic realm="vegshare", charset="UTF-8"';
  if (err.retryAfterSeconds !== undefined) headers['retry-after'] = String(err.retryAfterSeconds);
  sendOAuthJson(res, err.status, { error: err.error, error_description: err.description }, headers);
}
