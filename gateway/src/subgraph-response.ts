import { STATUS_CODES } from 'node:http';
import { GraphQLError } from 'graphql';

/**
 * What `@apollo/gateway`'s `RemoteGraphQLDataSource` (2.14) makes of a subgraph's HTTP answer, for the gateway's own
 * data source: the same body parsing, the same error for a non-2xx status and the same cache hint from `Cache-Control`,
 * so that clients see exactly what they saw when the gateway used Apollo's class.
 */

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const headerOf = (headers: Headers, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

/** The body, parsed when the subgraph says it is JSON (a parse failure throws), else the text as it came. */
export function subgraphBody(reply: { readonly headers: Headers; readonly body: string }): unknown {
  const contentType = headerOf(reply.headers, 'content-type');
  return contentType &&
    (contentType.startsWith('application/json') || contentType.startsWith('application/graphql-response+json'))
    ? (JSON.parse(reply.body) as unknown)
    : reply.body;
}

/**
 * The error for a non-2xx answer: `<status>: <status text>` with the answer in `extensions.response`, and the code
 * `UNAUTHENTICATED` for 401, `FORBIDDEN` for 403. The status text is the standard reason phrase (`401: Unauthorized`),
 * as Apollo's class says it with a fetch that reports one; HTTP/1.1 clients such as undici's dispatcher do not pass the
 * server's phrase on, and an empty one left clients with `401: `.
 */
export function subgraphFailure(
  url: string,
  reply: { readonly status: number; readonly headers: Headers; readonly body: string },
): GraphQLError {
  const statusText = STATUS_CODES[reply.status] ?? '';
  const extensions: Record<string, unknown> = {
    response: { url, status: reply.status, statusText, body: subgraphBody(reply) },
  };
  if (reply.status === 401) extensions['code'] = 'UNAUTHENTICATED';
  else if (reply.status === 403) extensions['code'] = 'FORBIDDEN';
  return new GraphQLError(`${reply.status}: ${statusText}`, { extensions });
}

/** A cache hint from the subgraph's `Cache-Control`: its `max-age` and `private`/`public`; max-age 0 when absent. */
export function cacheHintOf(header: string | string[] | undefined): { maxAge: number; scope?: 'PRIVATE' | 'PUBLIC' } {
  const hint: { maxAge: number; scope?: 'PRIVATE' | 'PUBLIC' } = { maxAge: 0 };
  const value = Array.isArray(header) ? header.join(', ') : header;
  if (!value) return hint;
  const directives: Record<string, string | true> = {};
  for (const part of value.trim().split(/\s*,\s*/)) {
    const [name, argument] = part.split(/\s*=\s*/, 2);
    if (name !== undefined) directives[name] = argument === undefined ? true : argument.replace(/^"|"$/g, '');
  }
  const maxAge = directives['max-age'];
  if (typeof maxAge === 'string' && /^[0-9]+$/.test(maxAge)) hint.maxAge = +maxAge;
  if (directives['private'] === true) hint.scope = 'PRIVATE';
  if (directives['public'] === true) hint.scope = 'PUBLIC';
  return hint;
}
