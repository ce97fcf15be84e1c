/**
 * What two steps of @apollo/gateway's per-request execution cost (issue 17), in one process, without HTTP or load:
 * `operationFromDocument` exactly as `executeQueryPlan` calls it for every request (a federation-internals `Operation`
 * built anew from the parsed document, although the query plan is cached), and `computeResponse` (the result shaping
 * that copies the subgraphs' merged answer into the client's selection). Each bench operation the memory subgraph
 * answers alone is run on the bench's supergraph, its subgraph answer taken from serve-memory-subgraph.ts's schema and
 * resolvers. Prints CPU µs per call (user + system, so it barely depends on what else the machine runs) and bytes
 * allocated per call (heap growth over a few calls with no collection in between: the young generation is made large).
 * Read the µs against a gateway's CPU per request from `npm run bench:gateway:memory` (CPU % × 10 / req/s).
 *
 *   npm run bench:gateway:parts
 *
 * Environment: BENCH_STEP_MS (wall time measured per step and operation, after half as long of warm-up; 1000),
 * BENCH_FARMS (bulk farms, 100).
 */
// First, as in the gateway (gateway.ts): Apollo's entry modules with plain exports before @apollo/gateway loads.
import '@vegshare/gateway/plain-apollo-exports';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { computeResponse } from '@apollo/gateway/dist/resultShaping.js';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, Kind, parse, type OperationDefinitionNode } from 'graphql';
import { repoRoot } from '@vegshare/tools/workspace';
import { memoryData } from './memory-data.ts';
import { memoryResolvers } from './memory-resolvers.ts';
import { operations } from './operations.ts';
import { intSetting } from './processes.ts';
import { benchSupergraph } from './supergraph.ts';

const stepMs = intSetting('BENCH_STEP_MS', 1000);
const allocationBatch = 20;
const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error('run with --expose-gc (npm run bench:gateway:parts sets it)');

/** Calls `step` for `ms` of wall time; returns how many calls and the process's CPU µs spent in them. */
function runFor(ms: number, step: () => unknown): { calls: number; cpuMicros: number } {
  const cpuStart = process.cpuUsage();
  const end = performance.now() + ms;
  let calls = 0;
  do {
    for (let i = 0; i < 10; i += 1) step();
    calls += 10;
  } while (performance.now() < end);
  const cpu = process.cpuUsage(cpuStart);
  return { calls, cpuMicros: cpu.user + cpu.system };
}

/** CPU µs per call and bytes allocated per call of `step`, after half as long again of warm-up. */
function measure(step: () => unknown): { cpuMicros: number; bytes: number } {
  runFor(stepMs / 2, step);
  const { calls, cpuMicros } = runFor(stepMs, step);
  // Allocation: heap growth over a few calls, which fit the young generation (made large: --min-semi-space-size), so
  // no collection runs inside them.
  collect?.();
  const heapStart = process.memoryUsage().heapUsed;
  for (let i = 0; i < allocationBatch; i += 1) step();
  const grown = process.memoryUsage().heapUsed - heapStart;
  return { cpuMicros: cpuMicros / calls, bytes: grown / allocationBatch };
}

const loadBefore = loadavg()[0] ?? 0;
const apiSchema = Supergraph.build(benchSupergraph(process.env).sdl).apiSchema();
const data = memoryData(Math.min(intSetting('BENCH_FARMS', 100), 100));
const subgraphSchemas = new Map(
  (['farm', 'user'] as const).map((name) => [
    name,
    buildSubgraphSchema({
      typeDefs: parse(readFileSync(join(repoRoot, 'subgraphs', name, 'schema.graphql'), 'utf8')),
      resolvers: memoryResolvers(name, data),
    }),
  ]),
);

const rows: string[] = [];
for (const op of operations) {
  // Only the operations one subgraph answers alone: that subgraph's answer is then the gateway's merged input.
  if (!op.floor || op.as === 'callers') continue;
  const schema = subgraphSchemas.get(op.floor);
  if (!schema) continue;
  const document = parse(op.query);
  const definition = document.definitions[0] as OperationDefinitionNode;
  const variables = { ...op.variables };
  const answer = await execute({ schema, document, variableValues: variables });
  if (answer.errors?.length || !answer.data) throw new Error(`${op.name}: ${JSON.stringify(answer.errors)}`);
  const input = answer.data;
  // executeQueryPlan's call, verbatim: the operation definition and the fragments, no validation.
  const build = () =>
    operationFromDocument(apiSchema, { kind: Kind.DOCUMENT, definitions: [definition] }, { validate: false });
  const operation = build();
  const shape = () => computeResponse({ operation, variables, input, introspectionHandling: () => null });
  const shaped = shape();
  if (JSON.stringify(shaped.data) !== JSON.stringify(input) || shaped.errors.length) {
    throw new Error(`${op.name}: computeResponse did not give back the subgraph's answer`);
  }
  const built = measure(build);
  const shapedCost = measure(shape);
  rows.push(
    `| ${op.name} | ${built.cpuMicros.toFixed(1)} | ${(built.bytes / 1024).toFixed(1)} | ${shapedCost.cpuMicros.toFixed(1)} | ${(shapedCost.bytes / 1024).toFixed(1)} |`,
  );
}

process.stdout.write(
  [
    `${stepMs} ms per step, node ${process.version}, load average ${loadBefore.toFixed(1)} before, ${(loadavg()[0] ?? 0).toFixed(1)} after`,
    '',
    '| operation | operationFromDocument µs CPU | its KiB allocated | computeResponse µs CPU | its KiB allocated |',
    '| --- | --: | --: | --: | --: |',
    ...rows,
    '',
  ].join('\n'),
);
