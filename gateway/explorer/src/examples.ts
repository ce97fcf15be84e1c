/** Saved example operations shown as tabs in the partner explorer (`headers`: the tab's request headers, JSON). */
export const exampleOperations: readonly {
  readonly title: string;
  readonly query: string;
  readonly variables?: string;
  readonly headers?: string;
}[] = [
  {
    title: 'Farms and plots',
    query: `# The public catalogue: partner farms, their plots and prices.
query FarmsAndPlots {
  farms(first: 10) {
    edges {
      node {
        name
        locality
        location { latitude longitude }
        owner { displayName }
        plots { code areaM2 sunExposure pricePerSeasonCents currency }
      }
    }
  }
}
`,
  },
  {
    title: 'Crop catalogue',
    query: `# Crops customers can plan, with sowing windows and expected yields.
query Crops {
  crops { name variety daysToMaturity spacingCm sowingMonths expectedYieldKgPerM2 }
}
`,
  },
  {
    title: 'Live stream status',
    query: `# Subscriptions run over graphql-ws on the same endpoint.
subscription StreamStatus($streamId: ID!) {
  streamStatusChanged(streamId: $streamId) {
    status
    viewers
    camera { name plot { code farm { name } } }
  }
}
`,
    variables: '{ "streamId": "" }',
  },
  {
    title: 'Partner OAuth2 (client credentials)',
    query: `# OAuth 2.0 for your backend: short-lived tokens from your own client instead of a static API key.
#
# 1. Register a client while signed in as a PARTNER (bearer token of your session in the headers tab):
#      mutation {
#        createOAuthClient(input: { name: "My backend", scopes: ["farms:read", "plots:read"], authMethod: CLIENT_SECRET_BASIC }) {
#          clientSecret client { clientId scopes }
#        }
#      }
#    The client_secret (vss_...) is shown once. With authMethod PRIVATE_KEY_JWT you register your public JWK Set
#    (input.jwks) instead and sign a client assertion per request (RFC 7523); no secret exists.
# 2. Endpoints: GET /.well-known/openid-configuration (issuer, token, introspection and revocation endpoints, JWKS).
# 3. Get a token (it lives 5 minutes; ask for a new one instead of storing it):
#      curl -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials -d "scope=farms:read" https://<host>/oauth/token
#    -> {"access_token": "...", "token_type": "Bearer", "expires_in": 300, "scope": "farms:read"}
#    A scope you ask for must be one of the client's; without "scope" you get all of them.
# 4. Call the API with "Authorization: Bearer <access_token>" (paste it in the headers tab) and run the query below.
#    Tokens carry their scopes like API-key tokens; fields outside them are refused (FORBIDDEN, INSUFFICIENT_SCOPE).
#    Each client has its own rate limit per minute, like an API key (RATE_LIMITED, HTTP 429, Retry-After).
# 5. POST /oauth/introspect token=... tells whether a token of yours is still active; POST /oauth/revoke token=...
#    retires one (both with the same client authentication). revokeOAuthClient(id) retires the client. Either way
#    the API refuses the retired tokens within a second.
query FarmsWithAnOAuthToken {
  farms(first: 5) {
    edges { node { name locality plots { code areaM2 } } }
  }
}
`,
    headers: '{ "Authorization": "Bearer <access_token from POST /oauth/token>" }',
  },
];
