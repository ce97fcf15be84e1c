import { GraphQLError, type ValidationRule } from 'graphql';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';

/** Limits every operation must respect; generous for real screens, tight for abuse. */
export interface OperationLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxCost: number;
  readonly maxDirectives: number;
  /** Enforced by the parser itself (graphql-js `maxTokens`). */
  readonly maxTokens: number;
}

export const defaultOperationLimits: OperationLimits = {
  maxDepth: 12,
  maxAliases: 30,
  maxCost: 20_000,
  maxDirectives: 50,
  maxTokens: 5_000,
};

/** Marks a graphql-armor rejection with the limit that fired, so the error formatter can give it a stable code. */
function reject(limit: string) {
  return {
    propagateOnRejection: false,
    onReject: [
      (ctx: { reportError(error: GraphQLError): void } | null, error: GraphQLError) => {
        ctx?.reportError(new GraphQLError(error.message, { nodes: error.nodes ?? null, extensions: { limit } }));
      },
    ],
  };
}

/** graphql-armor validation rules (depth, aliases, cost, directives), run by Apollo Server before planning. */
export function operationLimitRules(limits: OperationLimits = defaultOperationLimits): ValidationRule[] {
  return [
    maxDepthRule({ n: limits.maxDepth, ignoreIntrospection: true, ...reject('MAX_DEPTH') }),
    maxAliasesRule({ n: limits.maxAliases, ...reject('MAX_ALIASES') }),
    costLimitRule({ maxCost: limits.maxCost, ignoreIntrospection: true, ...reject('MAX_COST') }),
    maxDirectivesRule({ n: limits.maxDirectives, ...reject('MAX_DIRECTIVES') }),
  ] as unknown as ValidationRule[];
}
