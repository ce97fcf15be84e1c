import { badInput } from '@vegshare/kit';

export interface Cursor {
  readonly createdAt: Date;
  readonly id: string;
}

/** Opaque keyset cursor over (createdAt desc, id desc). */
export const encodeCursor = (c: Cursor): string =>
  Buffer.from(JSON.stringify([c.createdAt.toISOString(), c.id])).toString('base64url');

export function decodeCursor(raw: string): Cursor {
  try {
    const [at, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as [unknown, unknown];
    const createdAt = new Date(String(at));
    if (typeof at !== 'string' || typeof id !== 'string' || Number.isNaN(createdAt.getTime())) throw new Error('bad');
    return { createdAt, id };
  } catch {
    throw badInput('after is not a cursor from this list', 'after');
  }
}
