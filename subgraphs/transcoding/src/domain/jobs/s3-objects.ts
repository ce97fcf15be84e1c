import type { ObjectStore } from '@vegshare/kit';

/** Keys under a prefix, sorted. */
export async function listKeys(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  const stream = store.client.listObjectsV2(store.bucket, prefix, true);
  for await (const item of stream as AsyncIterable<{ name?: string }>) if (item.name) keys.push(item.name);
  return keys.sort();
}
