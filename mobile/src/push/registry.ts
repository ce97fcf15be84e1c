import type { ApolloClient } from '@apollo/client';
import { RegisterPushDeviceDocument, UnregisterPushDeviceDocument } from '../graphql/operations';
import type { PushRegistry } from './lifecycle';

/** The user subgraph's device registry through the signed-in client. */
export function apolloPushRegistry(client: ApolloClient): PushRegistry {
  return {
    async register(token, platform) {
      await client.mutate({
        mutation: RegisterPushDeviceDocument,
        variables: { input: { token, platform } },
        errorPolicy: 'none',
      });
    },
    async unregister(token) {
      await client.mutate({ mutation: UnregisterPushDeviceDocument, variables: { token }, errorPolicy: 'none' });
    },
  };
}
