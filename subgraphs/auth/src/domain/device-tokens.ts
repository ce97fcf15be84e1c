import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'vsd1';

/**
 * Device tokens (OWASP's "device cookies" against account lockout): after a successful sign-in a device gets a token
 * bound to the account; presenting it later lets that device sign in while the account is in back-off from other
 * devices' failures. A device that fails with its token too often loses that benefit (see AuthRateLimits).
 * Stateless: `vsd1.<userId>.<nonce>.<HMAC-SHA256>`, keyed from AUTH_KEY_ENCRYPTION_SECRET.
 */
export class DeviceTokens {
  readonly #key: Buffer;

  constructor(secret: string) {
    this.#key = Buffer.from(hkdfSync('sha256', secret, 'vegshare-auth', 'device-tokens', 32));
  }

  #mac(userId: string, nonce: string): string {
    return createHmac('sha256', this.#key).update(`${PREFIX}.${userId}.${nonce}`).digest('base64url');
  }

  issue(userId: string): string {
    const nonce = randomBytes(16).toString('base64url');
    return `${PREFIX}.${userId}.${nonce}.${this.#mac(userId, nonce)}`;
  }

  /** The device's id (its nonce) when `token` was issued by us for `userId`, else null. */
  deviceOf(token: string | null | undefined, userId: string): string | null {
    if (!token || token.length > 200) return null;
    const [prefix, tokenUser, nonce, mac] = token.split('.');
    if (prefix !== PREFIX || tokenUser !== userId || !nonce || !mac) return null;
    const expected = Buffer.from(this.#mac(userId, nonce));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected) ? nonce : null;
  }
}
