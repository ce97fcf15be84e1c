import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  getNamedType,
  GraphQLError,
  isObjectType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type ConstDirectiveNode,
  type DocumentNode,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import type { Viewer } from './auth.ts';

/**
 * The directive subgraph schemas declare partner scopes with (the same shape as Federation's `@requiresScopes`, which
 * our gateway cannot load: it refuses supergraphs with `for: SECURITY` features it does not enforce itself):
 * an API-key caller needs every scope of at least one of the lists.
 */
const API_SCOPES_DIRECTIVE = 'apiScopes';

/** Alternatives of scope sets: `[["a", "b"], ["c"]]` is (a and b) or c. */
export type ScopeRequirement = readonly (readonly string[])[];

function requirementOf(directives: readonly ConstDirectiveNode[] | undefined): ScopeRequirement | null {
  const directive = directives?.find((d) => d.name.value === API_SCOPES_DIRECTIVE);
  const arg = directive?.arguments?.find((a) => a.name.value === 'anyOf')?.value;
  if (!arg || arg.kind !== Kind.LIST) return null;
  return arg.values.map((set) =>
    set.kind === Kind.LIST ? set.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : [])) : [],
  );
}

/** Every `@apiScopes` of a subgraph schema: on object types (all their fields) and on single fields. */
export class ScopePolicy {
  readonly #types = new Map<string, ScopeRequirement>();
  readonly #fields = new Map<string, ScopeRequirement>();
  readonly #mutation: string | null;

  constructor(readonly schema: GraphQLSchema) {
    this.#mutation = schema.getMutationType()?.name ?? null;
    for (const type of Object.values(schema.getTypeMap()) as GraphQLNamedType[]) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      const nodes = [type.astNode, ...type.extensionASTNodes].filter((n) => n !== null && n !== undefined);
      for (const node of nodes) {
        const required = requirementOf(node.directives);
        if (required) this.#types.set(type.name, required);
      }
      for (const field of Object.values(type.getFields())) {
        const required = requirementOf(field.astNode?.directives);
        if (required) this.#fields.set(`${type.name}.${field.name}`, required);
      }
    }
  }

  /**
   * What an API-key caller may not select in `document`: fields (or fields of types) whose scopes the key lacks, and
   * mutations that declare no scope (writes are never open to a key by default). Empty when all is allowed.
   */
  refusals(document: DocumentNode, scopes: readonly string[]): string[] {
    const held = new Set(scopes);
    const satisfied = (required: ScopeRequirement) => required.some((set) => set.every((s) => held.has(s)));
    const refused: string[] = [];
    const typeInfo = new TypeInfo(this.schema);
    visit(
      document,
      visitWithTypeInfo(typeInfo, {
        Field: (node) => {
          const parent = typeInfo.getParentType();
          if (!parent || node.name.value.startsWith('__')) return;
          const coordinate = `${parent.name}.${node.name.value}`;
          const onField = this.#fields.get(coordinate);
          const onType = this.#types.get(parent.name);
          const onResult = (() => {
            const fieldDef = typeInfo.getFieldDef();
            return fieldDef ? this.#types.get(getNamedType(fieldDef.type).name) : undefined;
          })();
          for (const required of [onField, onType, onResult]) {
            if (required && !satisfied(required))
              refused.push(`${coordinate} (needs ${required.map((set) => set.join(' + ')).join(' or ')})`);
          }
          if (parent.name === this.#mutation && !onField) refused.push(`${coordinate} (not open to API keys)`);
        },
      }),
    );
    return [...new Set(refused)];
  }
}

const scopeError = (refused: readonly string[]): GraphQLError =>
  new GraphQLError(`This API key may not use ${refused.slice(0, 5).join(', ')}${refused.length > 5 ? ' …' : ''}`, {
    // 200: the refusal is the answer; a non-2xx answer from a subgraph would reach the client as the gateway's own failure.
    extensions: { code: 'FORBIDDEN', reason: 'INSUFFICIENT_SCOPE', http: { status: 200 } },
  });

/** Refuses, for callers authenticated by a partner API key, operations that select what their key's scopes do not cover. */
export function scopesPlugin<T extends BaseContext>(policy: ScopePolicy): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, contextValue }) {
          const refusal = scopeRefusal(policy, contextValue, document);
          if (refusal) throw refusal;
        },
      };
    },
  };
}

/** The refusal of an operation by the context's viewer, when an API key whose scopes do not cover it; else null. */
export function scopeRefusal(policy: ScopePolicy, context: unknown, document: DocumentNode): GraphQLError | null {
  const viewer = (context as { readonly viewer?: Viewer | null }).viewer;
  if (!viewer || viewer.apiKeyId === null) return null;
  const refused = policy.refusals(document, viewer.scopes);
  return refused.length ? scopeError(refused) : null;
}
