import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '@vegshare/kit/gateway';

/**
 * Loads the supergraph from a file and hot-reloads it when the file changes (debounced). A broken file is logged
 * and ignored: the gateway keeps serving the last good supergraph (the gateway validates before swapping).
 */
export function fileSupergraph(path: string, logger: Logger, debounceMs = 200): SupergraphSdlHook {
  return async ({ update }) => {
    let watcher: FSWatcher | undefined;
    let timer: NodeJS.Timeout | undefined;
    let last = await readFile(path, 'utf8');
    const reload = async () => {
      try {
        const next = await readFile(path, 'utf8');
        if (next === last || !next.trim()) return;
        update(next);
        last = next;
        logger.info({ path }, 'supergraph reloaded');
      } catch (err) {
        logger.error({ err, path }, 'supergraph reload failed; keeping the previous one');
      }
    };
    watcher = watch(path, () => {
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), debounceMs);
    });
    return {
      supergraphSdl: last,
      async cleanup() {
        clearTimeout(timer);
        watcher?.close();
        watcher = undefined;
      },
    };
  };
}
