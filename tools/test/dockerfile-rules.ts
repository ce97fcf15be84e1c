// Rule checks for the Dockerfile beside dockerfilelint: multi-stage on node:20-bookworm-slim, `npm ci`, non-root
// user, a HEALTHCHECK on /health, exec-form CMD of the staged entry point, COPY sources that exist, apt-get with
// --no-install-recommends and list cleanup.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../src/workspace.ts';

const BASE_IMAGE = 'node:20-bookworm-slim';

interface Instruction {
  readonly line: number;
  readonly keyword: string;
  readonly args: string;
}

/** Instructions with continuation lines joined; comments and blank lines dropped. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (!pending) start = i + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const full = pending + line;
    pending = '';
    const [keyword = '', ...rest] = full.split(/\s+/);
    out.push({ line: start, keyword: keyword.toUpperCase(), args: rest.join(' ') });
  });
  return out;
}

/** Where the build stage links every SERVICE's entry point; the image's CMD runs it. */
export const STAGED_ENTRY = 'service/main.ts';

/** Problems with the rules above; empty when the Dockerfile keeps them. */
export function ruleProblems(text: string): string[] {
  const problems: string[] = [];
  const instructions = parseDockerfile(text);
  const stages: string[] = [];
  let finalStageStart = 0;
  instructions.forEach((ins, index) => {
    if (ins.keyword !== 'FROM') return;
    const [image = '', as, alias] = ins.args.split(/\s+/);
    if (image !== BASE_IMAGE && !stages.includes(image))
      problems.push(`line ${ins.line}: FROM ${image} is neither ${BASE_IMAGE} nor an earlier stage`);
    if (as?.toUpperCase() === 'AS' && alias) stages.push(alias);
    finalStageStart = index;
  });
  if (stages.length < 2) problems.push('not a multi-stage build');
  if (!instructions.some((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args)))
    problems.push('dependencies are not installed with npm ci');
  if (instructions.some((i) => i.keyword === 'RUN' && /\bnpm (install|i)\b/.test(i.args)))
    problems.push('npm install instead of npm ci');
  const final = instructions.slice(finalStageStart);
  const user = final.filter((i) => i.keyword === 'USER').at(-1);
  if (!user || /^(0|root)(:|$)/.test(user.args)) problems.push('the final stage does not switch to a non-root USER');
  const health = final.find((i) => i.keyword === 'HEALTHCHECK');
  if (!health) problems.push('no HEALTHCHECK');
  else if (!health.args.includes('/health')) problems.push('HEALTHCHECK does not hit /health');
  const cmd = final.filter((i) => i.keyword === 'CMD').at(-1);
  if (!cmd) problems.push('no CMD');
  else {
    let argv: unknown;
    try {
      argv = JSON.parse(cmd.args);
    } catch {
      argv = undefined;
    }
    if (!Array.isArray(argv)) problems.push('CMD is not in exec form (signals must reach node)');
    else if (!argv.includes(STAGED_ENTRY)) problems.push(`CMD does not run ${STAGED_ENTRY}`);
  }
  for (const ins of instructions.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))) {
    const parts = ins.args.split(/\s+/).filter((p) => !p.startsWith('--'));
    for (const source of parts.slice(0, -1)) {
      if (!source.includes('*') && !existsSync(join(repoRoot, source)))
        problems.push(`line ${ins.line}: COPY source ${source} does not exist`);
    }
  }
  for (const ins of instructions.filter((i) => i.keyword === 'RUN' && i.args.includes('apt-get install'))) {
    if (!ins.args.includes('--no-install-recommends') || !ins.args.includes('rm -rf /var/lib/apt/lists'))
      problems.push(`line ${ins.line}: apt-get install without --no-install-recommends and list cleanup`);
  }
  return problems;
}

/** The shell of the RUN instruction whose text contains `marker` (continuation lines joined), for running it in a test. */
export function runScript(text: string, marker: string): string {
  const matches = parseDockerfile(text).filter((i) => i.keyword === 'RUN' && i.args.includes(marker));
  if (matches.length !== 1) throw new Error(`expected one RUN containing ${marker}, found ${matches.length}`);
  return (matches[0] as Instruction).args;
}
