/**
 * The stock alternative: @apollo/gateway on @apollo/server's startStandaloneServer with default settings. The only
 * additions are what any deployment of these subgraphs needs: the gateway secret and the caller's token forwarded.
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { announce, fail, required } from './child.ts';

interface Context {
  readonly authorization: string | undefined;
}

const secret = required('GATEWAY_SECRET');

class ForwardingDataSource extends RemoteGraphQLDataSource<Context> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<Context>): void {
    request.http?.headers.set('x-gateway-secret', secret);
    if ('authorization' in context && context.authorization)
      request.http?.headers.set('authorization', context.authorization);
  }
}

try {
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(required('SUPERGRAPH_PATH'), 'utf8'),
    buildService: ({ url }) => new ForwardingDataSource({ url: url ?? '' }),
  });
  const server = new ApolloServer<Context>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  });
  const base = url.replace(/\/$/, '');
  announce(base, `${base}/`, () => server.stop());
} catch (error) {
  fail('gateway apollo', error);
}
