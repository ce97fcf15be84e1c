// Composes the subgraphs of rover.yaml into the client (API) schema the app's codegen reads, for development while
// the checked-in supergraph is being regenerated. When composition fails only because a root field is declared by
// several subgraphs (a mid-work state), the later declarations are dropped so work on the app can go on.
// Output: mobile/schema.preview.graphql (git-ignored). CI and the lead use ../schema/supergraph.graphql.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import composition from '@apollo/composition';
import federation from '@apollo/federation-internals';
import { createRequire } from 'node:module';
import type * as GraphQL from 'graphql';
import type { DocumentNode } from 'graphql';
import { readRoverConfig, repoRoot } from '../../tools/src/workspace.ts';

// The root's graphql, the one @apollo/composition uses (mobile/ has its own copy for the app).
const { Kind, parse, printSchema, visit } = createRequire(join(repoRoot, 'package.json'))('graphql') as typeof GraphQL;
const config = readRoverConfig(repoRoot);
const docs = new Map<string, DocumentNode>(
  config.subgraphs.map((s) => [s.name, parse(readFileSync(s.schemaFile, 'utf8'))]),
);

function compose(): ReturnType<typeof composition.composeServices> {
  return composition.composeServices(
    config.subgraphs.map((s) => ({ name: s.name, url: s.routingUrl, typeDefs: docs.get(s.name)! })),
  );
}

let result = compose();
for (let round = 0; result.errors && round < 5; round++) {
  let fixed = false;
  for (const error of result.errors) {
    const m =
      /field "(Query|Mutation|Subscription)\.(\w+)" is resolved from multiple subgraphs: it is resolved from subgraphs (.+?) and defined/.exec(
        error.message,
      );
    if (!m) continue;
    const [, type, field, list] = m;
    const owners = [...list!.matchAll(/"([^"]+)"/g)].map((x) => x[1]!);
    for (const name of owners.slice(1)) {
      console.warn(`preview: dropping ${type}.${field} from subgraph ${name}`);
      docs.set(
        name,
        visit(docs.get(name)!, {
          [Kind.OBJECT_TYPE_DEFINITION](node) {
            if (node.name.value !== type) return undefined;
            return { ...node, fields: node.fields?.filter((f) => f.name.value !== field) };
          },
        }),
      );
      fixed = true;
    }
  }
  if (!fixed) break;
  result = compose();
}
if (result.errors) {
  console.error(result.errors.map((e) => e.message).join('\n'));
  process.exit(1);
}
const api = federation.Supergraph.build(result.supergraphSdl).apiSchema().toGraphQLJSSchema();
const out = join(repoRoot, 'mobile/schema.preview.graphql');
writeFileSync(out, printSchema(api));
console.log(`wrote ${out}`);
