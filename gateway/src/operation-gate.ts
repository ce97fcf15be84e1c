import {
  GraphQLError,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import { documentHasIllFormedText, illFormedInputError, illFormedPath } from '@vegshare/kit/gateway';
import type { GatewayContext } from './context.ts';
import type { PersistedOperationsPolicy } from './persisted/safelist.ts';
import type { InputScalarCheck } from './input-scalars.ts';

/** What a graphql-ws `subscribe` message asks for (the GraphQL-over-HTTP request fields). */
export interface OperationRequest {
  readonly query?: string | null | undefined;
  readonly operationName?: string | null | undefined;
  readonly extensions?: Readonly<Record<string, unknown>> | null | undefined;
  readonly variables?: Readonly<Record<string, unknown>> | null | undefined;
}

export interface GatedOperation {
  /** The operation text, resolved from the manifest when only its id was sent. */
  readonly query: string;
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
}

export interface OperationGateOptions {
  /** The current API schema (it changes on every supergraph reload). */
  readonly schema: () => GraphQLSchema;
  /** The very rules object Apollo Server validates HTTP operations with (depth, aliases, cost, directives). */
  readonly rules: readonly ValidationRule[];
  /** The parser's token limit, as Apollo Server's `parseOptions.maxTokens`. */
  readonly maxTokens: number;
  readonly persisted: PersistedOperationsPolicy;
  /** As Apollo Server's `hideSchemaDetailsFromClientErrors`: no "Did you mean …?" suggestions (production). */
  readonly hideSchemaDetails: boolean;
  /** The custom-scalar check the HTTP pipeline runs as a plugin. */
  readonly scalars: InputScalarCheck;
}

const coded = (error: GraphQLError, code: string): GraphQLError =>
  error.extensions['code'] || error.extensions['limit']
    ? error
    : new GraphQLError(error.message, {
        nodes: error.nodes ?? null,
        source: error.source ?? null,
        positions: error.positions ?? null,
        extensions: { ...error.extensions, code },
      });

const withoutSuggestions = (error: GraphQLError): GraphQLError =>
  new GraphQLError(error.message.replace(/ ?Did you mean(.+?)\?$/, ''), {
    nodes: error.nodes ?? null,
    extensions: error.extensions,
  });

/**
 * The checks an operation passes before anything runs, for operations arriving over graphql-ws — the same as Apollo
 * Server applies over HTTP: persisted-operation rules (manifest ids, the partner safelist), the parser's token limit,
 * graphql-js's rules plus the same operation-limit rules object, and operation resolution. Returns the errors to
 * answer the operation with (an `error` message), never throws for bad input.
 */
export class OperationGate {
  /**
   * Documents that parsed and passed validation against `#validatedFor`, by operation text. Every connection sending
   * the same operation gets the same document (read-only, as Apollo Server's document store shares its documents): a
   * subscription holds its document while open, so ten thousand viewers of one camera hold one AST, not ten thousand.
   */
  readonly #documents = new LRUCache<string, DocumentNode>({
    maxSize: 2 * 1024 * 1024,
    sizeCalculation: (_document, text) => Math.max(1, text.length),
  });
  #validatedFor: GraphQLSchema | null = null;

  constructor(private readonly options: OperationGateOptions) {}

  check(request: OperationRequest, context: GatewayContext): GatedOperation | readonly GraphQLError[] {
    const resolved = this.options.persisted.resolve(
      context,
      request.query ?? undefined,
      request.extensions ?? undefined,
    );
    if (resolved instanceof GraphQLError) return [resolved];
    const document = this.#validDocument(resolved);
    if (!('kind' in document)) return document;
    const illFormed = illFormedPath(request.variables ?? {});
    if (illFormed) return [illFormedInputError(`Variable ${illFormed}`)];
    if (documentHasIllFormedText(document)) return [illFormedInputError('The operation')];
    const operation = getOperationAST(document, request.operationName ?? undefined);
    if (!operation) {
      const message = request.operationName
        ? `Unknown operation named "${request.operationName}"`
        : 'Must provide an operation name when the document contains several operations';
      return [new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })];
    }
    const scalarErrors = this.options.scalars.check(document, operation, request.variables ?? undefined);
    if (scalarErrors.length) return scalarErrors;
    return { query: resolved, document, operation };
  }

  /** The parsed document of `text` if it passes the parser's limits and validation, else the errors. */
  #validDocument(text: string): DocumentNode | readonly GraphQLError[] {
    const schema = this.options.schema();
    if (schema !== this.#validatedFor) {
      // A reloaded supergraph: what was valid against the old schema is checked again.
      this.#documents.clear();
      this.#validatedFor = schema;
    }
    const known = this.#documents.get(text);
    if (known) return known;
    let document: DocumentNode;
    try {
      document = parse(text, { maxTokens: this.options.maxTokens });
    } catch (error) {
      return [coded(error instanceof GraphQLError ? error : new GraphQLError(String(error)), 'GRAPHQL_PARSE_FAILED')];
    }
    const errors = validate(schema, document, [...specifiedRules, ...this.options.rules]);
    if (errors.length)
      return errors.map((e) =>
        coded(this.options.hideSchemaDetails ? withoutSuggestions(e) : e, 'GRAPHQL_VALIDATION_FAILED'),
      );
    this.#documents.set(text, document);
    return document;
  }
}

export const isGated = (value: GatedOperation | readonly GraphQLError[]): value is GatedOperation =>
  !Array.isArray(value);
