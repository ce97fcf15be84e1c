import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  getOperationAST,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { z } from 'zod';

/** Apollo's queryHash: the hex SHA-256 of the operation text, as APQ clients and persisted-query manifests use it. */
export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

export type PersistedOperationType = 'query' | 'mutation' | 'subscription';

/** One operation of the manifest: `id` is sha256(body). */
export interface PersistedOperation {
  readonly id: string;
  readonly name: string;
  readonly type: PersistedOperationType;
  readonly body: string;
}

/** The manifest is unreadable or inconsistent; the gateway refuses to start with it. */
export class PersistedOperationsError extends Error {
  override readonly name = 'PersistedOperationsError';
}

const manifestSchema = z.object({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.literal(1),
  operations: z.array(
    z.object({
      id: z.string(),
      name: z.string().min(1),
      type: z.enum(['query', 'mutation', 'subscription']),
      body: z.string().min(1),
    }),
  ),
});

/** The operations of a persisted-query manifest (Apollo's `apollo-persisted-query-manifest` format), by id. */
export class PersistedOperations {
  readonly #byId: ReadonlyMap<string, PersistedOperation>;

  constructor(operations: readonly PersistedOperation[]) {
    this.#byId = new Map(operations.map((op) => [op.id, op]));
  }

  get size(): number {
    return this.#byId.size;
  }

  get operations(): readonly PersistedOperation[] {
    return [...this.#byId.values()];
  }

  /** The operation with this id (= sha256 of its text), if listed. */
  get(id: string): PersistedOperation | undefined {
    return this.#byId.get(id);
  }

  /** The listed operation whose text is exactly `source` (compared by Apollo's queryHash), if any. */
  byText(source: string): PersistedOperation | undefined {
    return this.#byId.get(sha256Hex(source));
  }

  /** One line per operation that does not validate against `schema` (with `rules` added to graphql-js's own). */
  problemsAgainst(schema: GraphQLSchema, rules: readonly ValidationRule[] = []): string[] {
    const problems: string[] = [];
    for (const op of this.#byId.values()) {
      const errors = validate(schema, parse(op.body), [...specifiedRules, ...rules]);
      for (const error of errors) problems.push(`${op.name} (${op.id.slice(0, 12)}…): ${error.message}`);
    }
    return problems;
  }
}

function checkOperation(op: PersistedOperation): string | null {
  if (!/^[0-9a-f]{64}$/.test(op.id)) return `id "${op.id}" is not a lowercase hex SHA-256`;
  const expected = sha256Hex(op.body);
  if (op.id !== expected) return `id ${op.id} is not the SHA-256 of its body (${expected}); regenerate the manifest`;
  let document: DocumentNode;
  try {
    document = parse(op.body);
  } catch (error) {
    return `body does not parse: ${(error as Error).message}`;
  }
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1) return `body must hold exactly one operation, found ${operations.length}`;
  const operation = getOperationAST(document);
  if (operation?.name?.value !== op.name)
    return `name "${op.name}" differs from the body's operation name "${operation?.name?.value ?? '(anonymous)'}"`;
  if (operation.operation !== op.type)
    return `type "${op.type}" differs from the body's operation type "${operation.operation}"`;
  return null;
}

/**
 * Reads and checks a manifest: the format, every id equal to sha256(body), one named operation per body whose name and
 * type match the entry, no duplicate ids. Throws one PersistedOperationsError naming every problem.
 */
export function loadPersistedOperations(path: string): PersistedOperations {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new PersistedOperationsError(
      `Persisted operations manifest ${path} cannot be read: ${(error as Error).message}`,
    );
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new PersistedOperationsError(
      `Persisted operations manifest ${path} is not an apollo-persisted-query-manifest v1: ${issues}`,
    );
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  parsed.data.operations.forEach((op, index) => {
    const problem = checkOperation(op);
    if (problem) problems.push(`operations[${index}] ${op.name}: ${problem}`);
    else if (seen.has(op.id)) problems.push(`operations[${index}] ${op.name}: duplicate id ${op.id}`);
    seen.add(op.id);
  });
  if (problems.length)
    throw new PersistedOperationsError(`Persisted operations manifest ${path} is invalid: ${problems.join('; ')}`);
  return new PersistedOperations(parsed.data.operations);
}
