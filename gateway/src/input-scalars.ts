import type { ApolloServerPlugin } from '@apollo/server';
import {
  buildASTSchema,
  getNamedType,
  getVariableValues,
  GraphQLError,
  isInputObjectType,
  isScalarType,
  parse,
  printSchema,
  typeFromAST,
  validate,
  ValuesOfCorrectTypeRule,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLScalarType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { DateScalar, DateTimeScalar } from '@vegshare/kit/gateway';
import type { GatewayContext } from './context.ts';

/** The subgraphs' scalar implementations (the kit's, on graphql-scalars), by name. */
const SCALARS: Readonly<Record<string, GraphQLScalarType>> = { Date: DateScalar, DateTime: DateTimeScalar };

const badInput = (error: GraphQLError): GraphQLError =>
  new GraphQLError(error.message, {
    nodes: error.nodes ?? null,
    extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
  });

/**
 * Custom scalars checked at the gateway as in the subgraphs. The supergraph knows `Date` and `DateTime` only by name,
 * so the gateway used to accept any value and forward it; the subgraph then refused the whole request and the gateway
 * reported that as an internal error. Here the operation is checked against a private copy of the API schema whose
 * scalars parse like the subgraphs': a bad value is BAD_USER_INPUT (400) before anything is planned.
 */
export class InputScalarCheck {
  #schema: GraphQLSchema | null = null;
  /** Input types (by name) that hold a checked scalar somewhere inside. */
  #sensitive = new Set<string>();
  /** Literal checks per parsed document (Apollo reuses the document object of a cached operation). */
  #literals = new WeakMap<DocumentNode, readonly GraphQLError[]>();

  update(apiSchema: GraphQLSchema): void {
    // Without locations: the copy lives as long as the supergraph, and a Location and its Tokens per AST node (some 5 000)
    // were a third of what the gateway retained beyond stock @apollo/gateway in its parsed documents (issue 17).
    const copy = buildASTSchema(parse(printSchema(apiSchema), { noLocation: true }), { assumeValidSDL: true });
    for (const [name, scalar] of Object.entries(SCALARS)) {
      const type = copy.getType(name);
      if (type && isScalarType(type))
        Object.assign(type, {
          parseValue: scalar.parseValue,
          parseLiteral: scalar.parseLiteral,
          serialize: scalar.serialize,
        });
    }
    this.#sensitive = sensitiveInputTypes(copy);
    this.#schema = copy;
    this.#literals = new WeakMap();
  }

  /** Errors of the operation's scalar arguments and variables, empty when all are valid. */
  check(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Readonly<Record<string, unknown>> | undefined,
  ): readonly GraphQLError[] {
    const schema = this.#schema;
    if (!schema || this.#sensitive.size === 0) return [];
    let literalErrors = this.#literals.get(document);
    if (!literalErrors) {
      // The document already passed validation against the API schema: whatever this finds is a bad scalar literal.
      literalErrors = validate(schema, document, [ValuesOfCorrectTypeRule]).map(badInput);
      this.#literals.set(document, literalErrors);
    }
    if (literalErrors.length) return literalErrors;
    const definitions = operation.variableDefinitions ?? [];
    const relevant = definitions.some((d) => {
      const type = typeFromAST(schema, d.type);
      return type !== undefined && this.#sensitive.has(getNamedType(type).name);
    });
    if (!relevant) return [];
    const coerced = getVariableValues(schema, definitions, { ...(variables ?? {}) }, { maxErrors: 5 });
    return 'errors' in coerced && coerced.errors ? coerced.errors.map(badInput) : [];
  }

  /** The same check for Apollo Server's HTTP pipeline. */
  plugin(): ApolloServerPlugin<GatewayContext> {
    return {
      requestDidStart: async () => ({
        didResolveOperation: async ({ document, operation, request }) => {
          if (!operation) return;
          const [first] = this.check(document, operation, request.variables);
          if (first) throw first;
        },
      }),
    };
  }
}

/** Names of the checked scalars and of every input object type that contains one, at any depth. */
function sensitiveInputTypes(schema: GraphQLSchema): Set<string> {
  const sensitive = new Set<string>(Object.keys(SCALARS).filter((name) => schema.getType(name)));
  let grew = true;
  while (grew) {
    grew = false;
    for (const type of Object.values(schema.getTypeMap()) as GraphQLNamedType[]) {
      if (!isInputObjectType(type) || sensitive.has(type.name)) continue;
      if (Object.values(type.getFields()).some((f) => sensitive.has(getNamedType(f.type as GraphQLInputType).name))) {
        sensitive.add(type.name);
        grew = true;
      }
    }
  }
  return sensitive;
}
