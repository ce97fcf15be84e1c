import { isUuid, notFound } from '@vegshare/kit';

/** An id argument that is not a UUID can name no row: NOT_FOUND before any query. */
export function idArg(id: string, name = 'id'): string {
  if (!isUuid(id)) throw notFound(name === 'id' ? 'Object' : name.replace(/Id$/, ''), id.slice(0, 64));
  return id;
}
