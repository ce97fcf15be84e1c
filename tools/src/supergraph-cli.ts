// npm run supergraph:compose — writes schema/supergraph.graphql (and its copy k8s/base/supergraph.graphql) from rover.yaml.
// npm run supergraph:check   — fails on composition errors/warnings, a stale supergraph, or unaccepted breaking changes.
import { readRoverConfig, repoRoot } from './workspace.ts';
import {
  composeSupergraph,
  checkSupergraph,
  K8S_SUPERGRAPH_FILE,
  SUPERGRAPH_FILE,
  writeSupergraph,
} from './supergraph.ts';

const command = process.argv[2];
if (command === 'compose') {
  const result = composeSupergraph(readRoverConfig(repoRoot));
  if (!result.ok) {
    console.error(`composition failed:\n${result.errors.map((e) => `  - ${e}`).join('\n')}`);
    process.exit(1);
  }
  writeSupergraph(repoRoot, result.sdl);
  for (const w of result.warnings) console.warn(`warning: ${w}`);
  console.log(`wrote ${SUPERGRAPH_FILE} and ${K8S_SUPERGRAPH_FILE}`);
} else if (command === 'check') {
  const report = await checkSupergraph(repoRoot);
  for (const c of report.acceptedBreaking) console.log(`accepted breaking change ${c.type} at ${c.path ?? '(schema)'}`);
  if (report.failures.length) {
    console.error(`supergraph check failed:\n${report.failures.map((f) => `  - ${f}`).join('\n')}`);
    process.exit(1);
  }
  console.log('supergraph check passed');
} else {
  console.error('usage: supergraph-cli.ts compose|check');
  process.exit(2);
}
