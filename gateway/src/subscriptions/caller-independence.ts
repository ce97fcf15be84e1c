import {
  isObjectType,
  isInterfaceType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  BREAK,
  type DocumentNode,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';

/**
 * The directive subgraphs mark fields with whose value is the same for every caller allowed to subscribe: it reads no
 * identity, role or scope of the caller (not `viewerCan…`, not a farmer-only field that is null for others, not a
 * list filtered by who asks, not a field refused to anonymous callers). Composed into the supergraph
 * (`@composeDirective`), where the gateway reads it to decide which subscription results may be shared.
 * Fail-safe: an unmarked field splits sharing (its result is computed per caller).
 */
export const CALLER_INDEPENDENT_DIRECTIVE = 'callerIndependent';

/** Schema coordinates (`Type.field`) marked `@callerIndependent` in the supergraph. */
export function callerIndependentFields(supergraph: GraphQLSchema): ReadonlySet<string> {
  const marked = new Set<string>();
  for (const type of Object.values(supergraph.getTypeMap()) as GraphQLNamedType[]) {
    if (!(isObjectType(type) || isInterfaceType(type)) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.astNode?.directives?.some((d) => d.name.value === CALLER_INDEPENDENT_DIRECTIVE))
        marked.add(`${type.name}.${field.name}`);
    }
  }
  return marked;
}

/**
 * Whether every field an operation selects (on any subgraph, through any fragment) is caller-independent, so that
 * the same document with the same variables gives every permitted caller the same result. `__typename` reads nothing.
 */
export function selectsOnlyCallerIndependent(
  schema: GraphQLSchema,
  marked: ReadonlySet<string>,
  document: DocumentNode,
): boolean {
  const typeInfo = new TypeInfo(schema);
  let independent = true;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: (node) => {
        if (node.name.value === '__typename') return;
        const parent = typeInfo.getParentType();
        if (!parent || !marked.has(`${parent.name}.${node.name.value}`)) {
          independent = false;
          return BREAK;
        }
        return undefined;
      },
      // A directive on a field (@include/@skip take variables, which are in the sharing key): nothing else may vary.
      Directive: (node) => {
        if (node.name.value === 'include' || node.name.value === 'skip') return undefined;
        independent = false;
        return BREAK;
      },
    }),
  );
  return independent;
}
