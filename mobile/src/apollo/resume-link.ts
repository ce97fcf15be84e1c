import { ApolloLink, CombinedGraphQLErrors } from '@apollo/client';
import type { GraphQLFormattedError, OperationDefinitionNode } from 'graphql';
import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { Observable } from 'rxjs';

/**
 * Subscriptions over graphql-ws that resume where they stopped. Every live event of the API carries an opaque `cursor`
 * and its subscription accepts `after` (plotActivity, notificationAdded, streamStatusChanged, transcodeJobUpdated);
 * this link remembers the cursor of the last event of each subscription that declares an `$after` variable, and when
 * graphql-ws re-subscribes after a dropped connection (it re-sends the same payload, serialized again) the payload's
 * `after` is that cursor — so the server first replays what was missed, then continues live, without duplicates.
 *
 * A cursor the server no longer honours (CURSOR_EXPIRED: away longer than the resume window) ends the subscription:
 * it is started again without `after` and `onExpired` runs (the app refetches its lists, which hold what was missed).
 */
export class ResumingWsLink extends ApolloLink {
  constructor(
    private readonly client: Client,
    private readonly onExpired: () => void = () => undefined,
  ) {
    super();
  }

  override request(operation: ApolloLink.Operation): Observable<ApolloLink.Result> {
    const definition = operation.query.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
    );
    const resumable = definition?.variableDefinitions?.some((v) => v.variable.name.value === 'after') ?? false;
    const field = definition?.selectionSet.selections.find((s) => s.kind === 'Field');
    const responseKey = field && field.kind === 'Field' ? (field.alias ?? field.name).value : null;
    const query = print(operation.query);
    const given = operation.variables['after'];
    let last: string | null = typeof given === 'string' ? given : null;

    return new Observable<ApolloLink.Result>((observer) => {
      let dispose: () => void = () => undefined;
      let generation = 0;
      const restartIfExpired = (errors: readonly GraphQLFormattedError[] | undefined): boolean => {
        if (!resumable || last === null || !errors?.some((e) => e.extensions?.['code'] === 'CURSOR_EXPIRED'))
          return false;
        last = null;
        this.onExpired();
        // The refused subscription is over already (the server completes it after this result): leave it be — disposing
        // it as well would release its share of the socket twice and close the socket under the new one.
        start();
        return true;
      };
      const start = () => {
        const mine = ++generation;
        const current = () => mine === generation;
        const variables: Record<string, unknown> = { ...operation.variables };
        // A getter: graphql-ws serializes the payload again at every (re)subscribe, so each one asks for `last`.
        if (resumable) Object.defineProperty(variables, 'after', { enumerable: true, get: () => last });
        dispose = this.client.subscribe<Record<string, unknown>>(
          {
            query,
            variables,
            ...(operation.operationName ? { operationName: operation.operationName } : {}),
            extensions: operation.extensions,
          },
          {
            next: (result) => {
              if (!current() || restartIfExpired(result.errors)) return;
              const value = responseKey
                ? (result.data?.[responseKey] as { cursor?: unknown } | null | undefined)
                : null;
              if (resumable && typeof value?.cursor === 'string') last = value.cursor;
              observer.next(result as ApolloLink.Result);
            },
            complete: () => {
              if (current()) observer.complete();
            },
            error: (error) => {
              if (!current()) return;
              if (Array.isArray(error)) {
                if (restartIfExpired(error as GraphQLFormattedError[])) return;
                observer.error(new CombinedGraphQLErrors({ errors: error as GraphQLFormattedError[] }));
              } else observer.error(error instanceof Error ? error : new Error('The subscription socket closed'));
            },
          },
        );
      };
      start();
      return () => dispose();
    });
  }
}
