// Lints docker/*.Dockerfile with dockerfilelint (npm; hadolint has no npm package that runs offline) and checks the
// rules the images promise: multi-stage on node:20-bookworm-slim, `npm ci`, non-root user, a HEALTHCHECK on /health,
// the process the Deployment runs, files that exist, and ffmpeg in the worker image. Docker itself cannot run here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run as dockerfilelint } from 'dockerfilelint';
import { describe, expect, it } from 'vitest';
import { renderKustomization, containersOf, podSpecsOf } from '../src/k8s-check-render.ts';
import { readRoverConfig, repoRoot } from '../src/workspace.ts';
import { ruleProblems } from '../src/k8s-check-dockerfiles.ts';

const dockerDir = join(repoRoot, 'docker');
const files = readdirSync(dockerDir).filter((f) => f.endsWith('.Dockerfile')).sort();

describe.each(files)('docker/%s', (file) => {
  const name = file.replace(/\.Dockerfile$/, '');
  const text = readFileSync(join(dockerDir, file), 'utf8');

  it('passes dockerfilelint', () => {
    expect(dockerfilelint(dockerDir, text).map((i) => `line ${i.line}: ${i.rule} ${i.title}`)).toEqual([]);
  });

  it('keeps the image rules (multi-stage, npm ci, non-root, HEALTHCHECK, exec-form CMD, existing sources)', () => {
    expect(ruleProblems(name, text)).toEqual([]);
  });

  it('has a .dockerignore that keeps node_modules and local data out of the context', () => {
    const ignore = readFileSync(join(dockerDir, `${file}.dockerignore`), 'utf8');
    for (const pattern of ['**/node_modules', '**/.data', '.git']) expect(ignore).toContain(pattern);
  });
});

describe('images and manifests agree', () => {
  it('every image a Deployment or Job runs has a Dockerfile, and services expose the port rover.yaml routes to', () => {
    const objects = renderKustomization(join(repoRoot, 'k8s/overlays/dev'));
    const images = new Set<string>();
    for (const o of objects) for (const spec of podSpecsOf(o)) for (const c of containersOf(spec)) images.add(String(c['image']));
    const names = [...images].filter((i) => i.startsWith('vegshare/')).map((i) => i.slice('vegshare/'.length).split(':')[0] as string);
    expect(names.length).toBeGreaterThan(7);
    for (const n of names) expect(files, n).toContain(`${n}.Dockerfile`);
    for (const subgraph of readRoverConfig().subgraphs) {
      const port = new URL(subgraph.routingUrl).port;
      const text = readFileSync(join(dockerDir, `${subgraph.name}.Dockerfile`), 'utf8');
      expect(text).toContain(`EXPOSE ${port}`);
      expect(text).toContain(`CMD ["node", "--import", "tsx", "subgraphs/${subgraph.name}/src/main.ts"]`);
    }
  });

  it('the worker image installs Debian ffmpeg and runs worker-main.ts', () => {
    const text = readFileSync(join(dockerDir, 'transcoding-worker.Dockerfile'), 'utf8');
    expect(text).toMatch(/apt-get install -y --no-install-recommends ffmpeg/);
    expect(text).toContain('subgraphs/transcoding/src/worker-main.ts');
  });
});

describe('the checks catch bad Dockerfiles', () => {
  it('dockerfilelint flags apt-get without -y and a latest tag', () => {
    const rules = dockerfilelint(dockerDir, 'FROM node:latest\nRUN apt-get update && apt-get install curl\nCMD ["node"]\n').map((i) => i.rule);
    expect(rules).toEqual(expect.arrayContaining(['latest_tag', 'apt-get_missing_param']));
  });

  it('the rule check flags root, a missing HEALTHCHECK, shell-form CMD and a foreign base image', () => {
    const problems = ruleProblems('farm', 'FROM node:22 AS deps\nRUN npm install\nUSER root\nCMD node subgraphs/farm/src/main.ts\n');
    expect(problems).toEqual(expect.arrayContaining([
      'line 1: FROM node:22 is neither node:20-bookworm-slim nor an earlier stage',
      'not a multi-stage build',
      'npm install instead of npm ci',
      'the final stage does not switch to a non-root USER',
      'no HEALTHCHECK',
      'CMD is not in exec form (signals must reach node)',
    ]));
  });
});
