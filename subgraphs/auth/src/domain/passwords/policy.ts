import { readFileSync } from 'node:fs';
import { badInput } from '@vegshare/kit';

const PASSWORD_MIN = 8;
const PASSWORD_MAX = 128;

let common: Set<string> | null = null;
/** The bundled list of the most common breached passwords (lowercased), loaded once. */
function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => line && !line.startsWith('#')),
  );
  return common;
}

export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(password.toLowerCase());
}

/** Length in characters (code points), so emoji and accents count once. */
const lengthOf = (s: string): number => [...s].length;

/** Throws BAD_USER_INPUT naming `field` when a new password is too short, too long or too common. */
export function assertAcceptablePassword(password: string, field: string, email?: string): void {
  const length = lengthOf(password);
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
    throw badInput(`Password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters long`, field);
  }
  if (isCommonPassword(password))
    throw badInput('This password is too common: it appears in lists of breached passwords', field);
  if (email && password.toLowerCase() === email.toLowerCase())
    throw badInput('Password must not be your email address', field);
}
