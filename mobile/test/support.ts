export { chromiumPath, hasChromium, chromiumArgs } from '../../tools/src/testing/chromium.ts';

export interface GraphqlResult<T> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** A GraphQL call to the gateway as a farmer/admin would make it (drives the backend side of the browser test). */
export async function gql<T>(
  gatewayUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  const res = await fetch(`${gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as GraphqlResult<T>;
  if (body.errors?.length || !body.data) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
  return body.data;
}

export async function signIn(gatewayUrl: string, email: string, password: string): Promise<string> {
  const data = await gql<{ login: { accessToken: string } }>(
    gatewayUrl,
    'mutation($input: LoginInput!) { login(input: $input) { accessToken } }',
    { input: { email, password } },
  );
  return data.login.accessToken;
}
