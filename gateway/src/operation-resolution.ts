import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';

/**
 * An operation name the document does not define, or several operations and no name, is the caller's mistake: a 400
 * with Apollo's OPERATION_RESOLUTION_FAILURE code. Left to @apollo/gateway, its planner throws an uncoded error that
 * reaches the client masked as INTERNAL_SERVER_ERROR.
 */
export function operationResolution<T extends BaseContext>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (operation) return;
          const message = request.operationName
            ? `Unknown operation named "${request.operationName}"`
            : 'Must provide an operation name when the document contains several operations';
          throw new GraphQLError(message, {
            extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } },
          });
        },
      };
    },
  };
}
