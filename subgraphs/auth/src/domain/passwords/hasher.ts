import * as argon2 from 'argon2';
import bcrypt from 'bcryptjs';

/** One password-hash format: verifies hashes it recognizes; only the default hasher also creates them. */
export interface PasswordHasher {
  readonly id: string;
  recognizes(hash: string): boolean;
  verify(hash: string, password: string): Promise<boolean>;
  /** True when a verified hash should be replaced by a fresh hash from the default hasher. */
  needsRehash(hash: string): boolean;
}

export interface DefaultPasswordHasher extends PasswordHasher {
  hash(password: string): Promise<string>;
}

export interface Argon2Params {
  /** KiB; OWASP minimum for argon2id is 19 MiB (19456 KiB) with t=2, p=1. */
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

export const OWASP_ARGON2ID: Argon2Params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** argon2id through the native `argon2` package: hashing runs on libuv's thread pool, never on the event loop. */
export function argon2idHasher(params: Argon2Params = OWASP_ARGON2ID): DefaultPasswordHasher {
  return {
    id: 'argon2id',
    recognizes: (hash) => hash.startsWith('$argon2'),
    hash: (password) => argon2.hash(password, { type: argon2.argon2id, ...params }),
    async verify(hash, password) {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false; // malformed stored hash
      }
    },
    needsRehash: (hash) => !hash.startsWith('$argon2id$') || argon2.needsRehash(hash, params),
  };
}

/** bcrypt ($2a$/$2b$/$2y$), for accounts imported from other systems; verified only, upgraded on the next login. */
export function bcryptHasher(): PasswordHasher {
  return {
    id: 'bcrypt',
    recognizes: (hash) => /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/.test(hash),
    async verify(hash, password) {
      // bcrypt only looks at the first 72 bytes; refuse longer passwords rather than accept a truncated match.
      if (Buffer.byteLength(password, 'utf8') > 72) return false;
      return bcrypt.compare(password, hash);
    },
    needsRehash: () => true,
  };
}

export interface VerifyResult {
  readonly ok: boolean;
  /** A new default-format hash to store (parameters changed or a legacy format), when ok. */
  readonly upgradedHash: string | null;
}

/**
 * Hashes with the default hasher and verifies any known format. `verifyDummy` spends the same time as a real
 * verification so that an unknown email cannot be told from a wrong password by timing.
 */
export class PasswordService {
  #dummyHash: Promise<string> | null = null;

  constructor(
    private readonly main: DefaultPasswordHasher,
    private readonly legacy: readonly PasswordHasher[] = [],
  ) {}

  hash(password: string): Promise<string> {
    return this.main.hash(password);
  }

  /** `storedHash` null: an account without a password (social sign-in only), answered as slowly as a wrong password. */
  async verify(storedHash: string | null, password: string): Promise<VerifyResult> {
    if (storedHash === null) return { ok: await this.verifyDummy(password), upgradedHash: null };
    const hasher = [this.main, ...this.legacy].find((h) => h.recognizes(storedHash));
    if (!hasher) return { ok: false, upgradedHash: null };
    const ok = await hasher.verify(storedHash, password);
    if (!ok) return { ok: false, upgradedHash: null };
    const upgrade = hasher !== this.main || this.main.needsRehash(storedHash);
    return { ok: true, upgradedHash: upgrade ? await this.main.hash(password) : null };
  }

  /** Verifies against a hash of a random password with the current parameters; always false. */
  async verifyDummy(password: string): Promise<false> {
    this.#dummyHash ??= this.main.hash(`dummy-${Math.random()}-${Date.now()}`);
    await this.main.verify(await this.#dummyHash, password);
    return false;
  }
}
