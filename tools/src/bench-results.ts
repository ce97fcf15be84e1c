import { writeFile } from 'node:fs/promises';
import { format, resolveConfig } from 'prettier';

/**
 * Writes a benchmark's markdown report formatted the way `npm run format` would, so that a bench run leaves a file
 * `format:check` accepts (results.md files are checked in; a run used to leave them unformatted and fail CI).
 */
export async function writeBenchResults(path: string, markdown: string): Promise<void> {
  const options = (await resolveConfig(path)) ?? {};
  await writeFile(path, await format(markdown, { ...options, filepath: path }));
}
