// What `npm run export` produced (it runs before the tests): the web build, and the Android and iOS bundles compiled
// to Hermes bytecode offline, the form the store builds ship.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dist = join(import.meta.dirname, '..', 'dist');
const jsDir = join(dist, '_expo', 'static', 'js');
/** Hermes bytecode files start with this 64-bit magic number (little endian). */
const HERMES_MAGIC = Buffer.from([0xc6, 0x1f, 0xbc, 0x03, 0xc1, 0x03, 0x19, 0x1f]);

// `npm test` requires them (VEGSHARE_REQUIRE_BUNDLES=1); a run of this file after `export:web` alone skips.
describe.skipIf(process.env['VEGSHARE_REQUIRE_BUNDLES'] !== '1' && !existsSync(join(jsDir, 'android')))(
  'exported bundles',
  () => {
    for (const platform of ['android', 'ios']) {
      it(`${platform}: one Hermes bytecode bundle`, () => {
        const files = readdirSync(join(jsDir, platform)).filter((f) => f.endsWith('.hbc'));
        expect(files).toHaveLength(1);
        const head = readFileSync(join(jsDir, platform, files[0]!)).subarray(0, 8);
        expect(head.equals(HERMES_MAGIC)).toBe(true);
      });
    }

    it('web: an index.html loading the entry chunk, hls.js split off', () => {
      const html = readFileSync(join(dist, 'index.html'), 'utf8');
      expect(html).toMatch(/_expo\/static\/js\/web\/index-[0-9a-f]+\.js/);
      expect(readdirSync(join(jsDir, 'web')).some((f) => f.startsWith('hls-'))).toBe(true);
    });
  },
);
