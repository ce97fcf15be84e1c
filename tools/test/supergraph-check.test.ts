import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkSupergraph,
  composeSupergraph,
  writeSupergraph,
  ACCEPTED_CHANGES_FILE,
  K8S_SUPERGRAPH_FILE,
  SUPERGRAPH_FILE,
} from '../src/supergraph.ts';
import { readRoverConfig } from '../src/workspace.ts';

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])\n';
const PRODUCTS = `${LINK}type Farm @key(fields: "id") { id: ID! name: String! }\ntype Query { farm(id: ID!): Farm farms: [Farm!]! }\n`;
const REVIEWS = `${LINK}type Farm @key(fields: "id") { id: ID! rating: Int! }\n`;

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

const git = (root: string, ...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'ignore' });

/** A throwaway repository with a rover.yaml over two subgraphs, a composed supergraph committed. */
function fixture(): {
  root: string;
  write(name: 'farm' | 'reviews', sdl: string): void;
  compose(): void;
  commit(msg: string): void;
} {
  const root = mkdtempSync(join(tmpdir(), 'supergraph-check-'));
  dirs.push(root);
  mkdirSync(join(root, 'schema'));
  for (const name of ['farm', 'reviews']) mkdirSync(join(root, name));
  writeFileSync(
    join(root, 'rover.yaml'),
    'federation_version: =2.14.4\nsubgraphs:\n  farm:\n    routing_url: http://farm/graphql\n    schema:\n      file: ./farm/schema.graphql\n  reviews:\n    routing_url: http://reviews/graphql\n    schema:\n      file: ./reviews/schema.graphql\n',
  );
  const f = {
    root,
    write: (name: 'farm' | 'reviews', sdl: string) => writeFileSync(join(root, name, 'schema.graphql'), sdl),
    compose: () => {
      const result = composeSupergraph(readRoverConfig(root));
      if (!result.ok) throw new Error(result.errors.join('\n'));
      writeSupergraph(root, result.sdl);
    },
    commit: (msg: string) => {
      git(root, 'add', '-A');
      git(root, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', msg);
    },
  };
  git(root, 'init', '-q');
  f.write('farm', PRODUCTS);
  f.write('reviews', REVIEWS);
  f.compose();
  f.commit('initial');
  return f;
}

describe('supergraph check', () => {
  it('passes on a composed, committed, unchanged supergraph', async () => {
    const f = fixture();
    expect((await checkSupergraph(f.root)).failures).toEqual([]);
  });

  it('fails when composition fails', async () => {
    const f = fixture();
    f.write('reviews', `${LINK}type Farm @key(fields: "id") { id: ID! name: Int! }\n`);
    const report = await checkSupergraph(f.root);
    expect(report.failures.join('\n')).toMatch(/composition failed: FIELD_TYPE_MISMATCH/);
  });

  it('fails when the checked-in supergraph is stale', async () => {
    const f = fixture();
    f.write('reviews', `${LINK}type Farm @key(fields: "id") { id: ID! rating: Int! reviewCount: Int! }\n`);
    const report = await checkSupergraph(f.root);
    expect(report.failures).toEqual([`${SUPERGRAPH_FILE} is stale: run \`npm run supergraph:compose\` and commit it`]);
  });

  it('fails when the Kubernetes copy differs from the supergraph, or is missing', async () => {
    const f = fixture();
    writeFileSync(join(f.root, K8S_SUPERGRAPH_FILE), '# an older supergraph\n');
    const message = `${K8S_SUPERGRAPH_FILE} differs from ${SUPERGRAPH_FILE}: run \`npm run supergraph:compose\` and commit it`;
    expect((await checkSupergraph(f.root)).failures).toEqual([message]);
    rmSync(join(f.root, K8S_SUPERGRAPH_FILE));
    expect((await checkSupergraph(f.root)).failures).toEqual([message]);
    f.compose();
    expect((await checkSupergraph(f.root)).failures).toEqual([]);
  });

  it('fails on a breaking change against the previous supergraph, also once committed', async () => {
    const f = fixture();
    f.write(
      'farm',
      `${LINK}type Farm @key(fields: "id") { id: ID! name: String! }\ntype Query { farm(id: ID!): Farm }\n`,
    );
    f.compose();
    const before = await checkSupergraph(f.root);
    expect(before.failures).toHaveLength(1);
    expect(before.failures[0]).toMatch(/breaking change FIELD_REMOVED at Query.farms/);
    f.commit('remove farms');
    expect((await checkSupergraph(f.root)).failures[0]).toMatch(/breaking change FIELD_REMOVED at Query.farms/);
  });

  it('passes a breaking change listed as intended, and only that one', async () => {
    const f = fixture();
    f.write(
      'farm',
      `${LINK}type Farm @key(fields: "id") { id: ID! name: String }\ntype Query { farm(id: ID!): Farm }\n`,
    );
    f.compose();
    writeFileSync(
      join(f.root, ACCEPTED_CHANGES_FILE),
      JSON.stringify([{ path: 'Query.farms', type: 'FIELD_REMOVED', reason: 'replaced by a connection (reviewed)' }]),
    );
    const report = await checkSupergraph(f.root);
    expect(report.acceptedBreaking.map((c) => c.path)).toEqual(['Query.farms']);
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]).toMatch(/FIELD_TYPE_CHANGED at Farm.name/);
  });

  it('does not flag additions as breaking', async () => {
    const f = fixture();
    f.write('reviews', `${LINK}type Farm @key(fields: "id") { id: ID! rating: Int! reviewCount: Int }\n`);
    f.compose();
    expect((await checkSupergraph(f.root)).failures).toEqual([]);
  });
});
