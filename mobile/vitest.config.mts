import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const rootRequire = createRequire(resolve(repoRoot, 'package.json'));

// The app's tests, run from the repository root with the root's vitest: unit tests of the app's platform-free modules
// (test/unit) and the browser test of the web build (it starts the supergraph in process from tools/). One graphql
// instance for the services, as in the root config.
export default defineConfig({
  root: repoRoot,
  resolve: { alias: [{ find: /^graphql$/, replacement: rootRequire.resolve('graphql') }] },
  test: {
    include: ['mobile/test/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
