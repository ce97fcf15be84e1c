// The Dockerfile builds every image (`--build-arg SERVICE=<image>`). Docker cannot run here, so this lints it with
// dockerfilelint (npm; hadolint has no npm package that runs offline), checks the rules the images promise
// (multi-stage on node:20-bookworm-slim, `npm ci`, non-root, HEALTHCHECK on /health, exec-form CMD), and runs the
// SERVICE-dependent shell of its stages for every image the manifests use: the staged files and entry point exist,
// the port is the service's, and the pruned install takes the right workspace.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { run as dockerfilelint } from 'dockerfilelint';
import { afterAll, describe, expect, it } from 'vitest';
import { containersOf, kustomize, podSpecsOf } from './k8s/render.ts';
import { ruleProblems, runScript, STAGED_ENTRY } from './dockerfile-rules.ts';
import { readRoverConfig, repoRoot } from '../src/workspace.ts';

const text = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const stageRoot = mkdtempSync(join(tmpdir(), 'dockerfile-stage-'));
afterAll(() => rmSync(stageRoot, { recursive: true, force: true }));

/** Images the manifests run (vegshare/<image>), from the dev overlay rendered by kustomize. */
function imagesInManifests(): string[] {
  const images = new Set<string>();
  for (const o of kustomize(join(repoRoot, 'k8s/overlays/dev'))) {
    for (const spec of podSpecsOf(o)) for (const c of containersOf(spec)) images.add(String(c['image']));
  }
  return [...images]
    .filter((i) => i.startsWith('vegshare/'))
    .map((i) => i.slice('vegshare/'.length).split(':')[0] as string)
    .sort();
}

/**
 * Runs the build stage's staging shell for SERVICE with the repository as build context and a temporary /stage. Its
 * build commands (`node --import tsx gateway/explorer/build.ts`, `tools/src/prisma-generate.ts`) are the repository's
 * own scripts, run by `npm run check`; here `node` is a shell function that records them instead.
 */
function stage(service: string): { dir: string; built: string } {
  const dir = join(stageRoot, service);
  const script = runScript(text, '/stage/service').replaceAll('/stage', dir);
  const built = execFileSync('sh', ['-c', `node() { echo "node $*"; }\n${script}`], {
    cwd: repoRoot,
    env: { PATH: process.env['PATH'] ?? '', SERVICE: service },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { dir, built };
}

describe('Dockerfile', () => {
  it('passes dockerfilelint', () => {
    expect(dockerfilelint(repoRoot, text).map((i) => `line ${i.line}: ${i.rule} ${i.title}`)).toEqual([]);
  });

  it('keeps the image rules (multi-stage, npm ci, non-root, HEALTHCHECK, exec-form CMD, existing sources)', () => {
    expect(ruleProblems(text)).toEqual([]);
  });

  it('copies every workspace manifest once, in the stage both installs start from (npm ci needs all of them)', () => {
    const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] };
    const dirs = root.workspaces.flatMap((w) =>
      w.endsWith('/*')
        ? readdirSync(join(repoRoot, w.slice(0, -2)), { withFileTypes: true })
            .filter((d) => d.isDirectory())
            .map((d) => `${w.slice(0, -2)}/${d.name}`)
        : [w],
    );
    for (const dir of dirs.filter((d) => existsSync(join(repoRoot, d, 'package.json')))) {
      expect(text.split(`COPY ${dir}/package.json ${dir}/`).length - 1, dir).toBe(1);
    }
    expect(text).toMatch(/^FROM manifests AS deps$/m);
    expect(text).toMatch(/^FROM manifests AS prod$/m);
  });

  it('has one .dockerignore that keeps node_modules, local data and generated clients out of the context', () => {
    const ignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8');
    for (const pattern of ['**/node_modules', '**/.data', '**/generated/prisma', '.git', 'mobile'])
      expect(ignore).toContain(pattern);
  });
});

describe('every image the manifests run', () => {
  const images = imagesInManifests();

  it('is a SERVICE of the Dockerfile', () => {
    expect(images).toEqual([
      'auth',
      'farm',
      'gateway',
      'migrate',
      'payment',
      'streaming',
      'transcoding',
      'transcoding-worker',
      'user',
    ]);
  });

  it.each(images)('%s: stages its files and entry point, and installs its workspace', (service) => {
    const { dir, built } = stage(service);
    const entry = join(dir, STAGED_ENTRY);
    const target = relative(dir, join(dir, 'service', readlinkSync(entry)));
    expect(existsSync(join(repoRoot, target)), target).toBe(true);
    expect(existsSync(join(dir, target)), `${target} is staged`).toBe(true);
    const expected: Record<string, string> = {
      gateway: 'gateway/src/main.ts',
      'transcoding-worker': 'subgraphs/transcoding/src/worker-main.ts',
      migrate: 'tools/src/migrate-cli.ts',
    };
    expect(target).toBe(expected[service] ?? `subgraphs/${service}/src/main.ts`);

    const subgraph = readRoverConfig().subgraphs.find((s) => s.name === service);
    const portFile = join(dir, 'service/port');
    if (subgraph) {
      expect(readFileSync(portFile, 'utf8')).toBe(new URL(subgraph.routingUrl).port);
      expect(existsSync(join(dir, 'subgraphs', service, 'schema.graphql'))).toBe(true);
      expect(built).toContain('tools/src/prisma-generate.ts');
    } else if (service === 'gateway') {
      expect(readFileSync(portFile, 'utf8')).toBe('4000');
      for (const f of ['gateway/persisted-operations.json', 'schema/supergraph.graphql', 'gateway/explorer/dist'])
        expect(existsSync(join(dir, f)), f).toBe(true);
      expect(built).toContain('gateway/explorer/build.ts');
    } else {
      expect(existsSync(portFile), 'no HTTP endpoint, no port').toBe(false);
    }
    if (service === 'migrate') {
      for (const s of readRoverConfig().subgraphs)
        expect(existsSync(join(dir, 'subgraphs', s.name, 'prisma/migrations')), s.name).toBe(true);
      expect(existsSync(join(dir, 'tools/src/await-migrations.ts'))).toBe(true);
    }

    const install = execFileSync('sh', ['-c', `npm() { echo "npm $*"; }\n${runScript(text, 'npm ci --omit=dev')}`], {
      env: { PATH: process.env['PATH'] ?? '', SERVICE: service },
      encoding: 'utf8',
    });
    const workspace = { 'transcoding-worker': 'transcoding', migrate: 'tools' }[service] ?? service;
    expect(install).toContain(`--workspace @vegshare/kit --workspace @vegshare/${workspace} --include-workspace-root`);
    expect(existsSync(join(repoRoot, 'node_modules/@vegshare', workspace)), workspace).toBe(true);
  });

  it('the worker image installs Debian ffmpeg, and only the worker image', () => {
    const ffmpeg = runScript(text, 'apt-get install');
    expect(ffmpeg).toMatch(/apt-get install -y --no-install-recommends ffmpeg/);
    expect(ffmpeg).toContain('if [ "${SERVICE}" = transcoding-worker ]');
  });

  it('refuses an unknown SERVICE', () => {
    expect(() => stage('billing')).toThrow(
      /SERVICE must be gateway, auth, user, farm, streaming, transcoding, payment, transcoding-worker or migrate/,
    );
  });
});

describe('the checks catch bad Dockerfiles', () => {
  it('dockerfilelint flags apt-get without -y and a latest tag', () => {
    const rules = dockerfilelint(
      repoRoot,
      'FROM node:latest\nRUN apt-get update && apt-get install curl\nCMD ["node"]\n',
    ).map((i) => i.rule);
    expect(rules).toEqual(expect.arrayContaining(['latest_tag', 'apt-get_missing_param']));
  });

  it('the rule check flags root, a missing HEALTHCHECK, shell-form CMD and a foreign base image', () => {
    const problems = ruleProblems('FROM node:22 AS deps\nRUN npm install\nUSER root\nCMD node service/main.ts\n');
    expect(problems).toEqual(
      expect.arrayContaining([
        'line 1: FROM node:22 is neither node:20-bookworm-slim nor an earlier stage',
        'not a multi-stage build',
        'npm install instead of npm ci',
        'the final stage does not switch to a non-root USER',
        'no HEALTHCHECK',
        'CMD is not in exec form (signals must reach node)',
      ]),
    );
  });
});
