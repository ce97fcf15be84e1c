import type { FetchNode } from '@apollo/query-planner';
import {
  getNamedType,
  getNullableType,
  isObjectType,
  isScalarType,
  Kind,
  parse,
  print,
  validate,
  visit,
  type ArgumentNode,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

/** Variable the gateway adds to a resumable upstream subscription: the cursor it re-subscribes after. */
const RESUME_VARIABLE = 'vegshareResumeAfter';
/** Alias under which the upstream selection also reads the event's cursor (dropped when the result is completed). */
const RESUME_ALIAS = 'vegshareResumeCursor';

/** How the gateway keeps an upstream subscription's place, so that a re-subscription misses nothing. */
export interface UpstreamResume {
  /** The variable holding the cursor to resume after, and its value when subscribing first (the client's `after`). */
  readonly variable: string;
  initial(variables: Readonly<Record<string, unknown>>): string | null;
  /** The cursor of an upstream event, or null when it carries none (an error result). */
  cursorOf(data: Readonly<Record<string, unknown>> | null | undefined): string | null;
}

/** The operation sent upstream for a subscription, and how to resume it after its connection was lost. */
export interface UpstreamOperation {
  readonly query: string;
  readonly variableUsages: readonly string[];
  readonly resume: UpstreamResume | null;
}

const plain = (primary: FetchNode): UpstreamOperation => ({
  query: primary.operation,
  variableUsages: primary.variableUsages ?? [],
  resume: null,
});

const isNullableString = (type: unknown): boolean =>
  getNullableType(type as never) === type && isScalarType(type) && type.name === 'String';

/**
 * Makes the primary fetch of a subscription resumable by the gateway itself when its root field follows the API's
 * resume convention — an optional `after: String` argument and a `cursor` field on what it returns (plotActivity,
 * notificationAdded, streamStatusChanged, transcodeJobUpdated): the upstream operation then also selects the cursor
 * and passes `after` as a variable the pool moves forward with every event. When the gateway's connection to the
 * subgraph drops and comes back, the re-subscription starts after the last event delivered, so clients that never
 * noticed the outage miss nothing. Anything else (no such argument, a rewrite the subgraph's schema would refuse) is
 * sent as planned.
 */
export function resumableUpstream(primary: FetchNode, subgraphSchema: GraphQLSchema | undefined): UpstreamOperation {
  if (!subgraphSchema) return plain(primary);
  const document = parse(primary.operation);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const root = operation?.selectionSet.selections;
  const field = root?.length === 1 && root[0]?.kind === Kind.FIELD ? root[0] : null;
  const definition = field ? subgraphSchema.getSubscriptionType()?.getFields()[field.name.value] : undefined;
  const returned = definition ? getNamedType(definition.type) : undefined;
  const cursor = isObjectType(returned) ? returned.getFields()['cursor'] : undefined;
  const afterArg = definition?.args.find((a) => a.name === 'after');
  if (!operation || !field || !afterArg || !isNullableString(afterArg.type) || !cursor) return plain(primary);
  if (!isScalarType(getNamedType(cursor.type))) return plain(primary);

  const given = field.arguments?.find((a) => a.name.value === 'after');
  const resumeArg: ArgumentNode = {
    kind: Kind.ARGUMENT,
    name: { kind: Kind.NAME, value: 'after' },
    value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: RESUME_VARIABLE } },
  };
  const cursorField: FieldNode = {
    kind: Kind.FIELD,
    alias: { kind: Kind.NAME, value: RESUME_ALIAS },
    name: { kind: Kind.NAME, value: 'cursor' },
  };
  // The field is the operation's only root selection: it is rewritten in place, nothing else changes.
  const rewrittenField: FieldNode = {
    ...field,
    arguments: [...(field.arguments ?? []).filter((a) => a !== given), resumeArg],
    ...(field.selectionSet && {
      selectionSet: { ...field.selectionSet, selections: [...field.selectionSet.selections, cursorField] },
    }),
  };
  const withVariables = withOwnVariables({
    ...operation,
    selectionSet: { ...operation.selectionSet, selections: [rewrittenField] },
  });
  const finalDocument = {
    ...document,
    definitions: document.definitions.map((d) => (d === operation ? withVariables : d)),
  };
  if (validate(subgraphSchema, finalDocument).length > 0) return plain(primary);

  const responseKey = (field.alias ?? field.name).value;
  const initial = given?.value;
  return {
    query: print(finalDocument),
    variableUsages: (withVariables.variableDefinitions ?? [])
      .map((v) => v.variable.name.value)
      .filter((name) => name !== RESUME_VARIABLE),
    resume: {
      variable: RESUME_VARIABLE,
      initial: (variables) => {
        if (initial?.kind === Kind.STRING) return initial.value;
        if (initial?.kind !== Kind.VARIABLE) return null;
        const value = variables[initial.name.value];
        return typeof value === 'string' ? value : null;
      },
      cursorOf: (data) => {
        const value = (data?.[responseKey] as Record<string, unknown> | null | undefined)?.[RESUME_ALIAS];
        return typeof value === 'string' ? value : null;
      },
    },
  };
}

/** The operation with the resume variable declared and the variables its rewrite left unused removed. */
function withOwnVariables(operation: OperationDefinitionNode): OperationDefinitionNode {
  const used = new Set<string>();
  visit(operation.selectionSet, { Variable: (v) => void used.add(v.name.value) });
  return {
    ...operation,
    variableDefinitions: [
      ...(operation.variableDefinitions ?? []).filter((v) => used.has(v.variable.name.value)),
      {
        kind: Kind.VARIABLE_DEFINITION,
        variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: RESUME_VARIABLE } },
        type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'String' } },
      },
    ],
  };
}
