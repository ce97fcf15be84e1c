import { StrictMode, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { getOperationAST, parse } from 'graphql';
import { createClient } from 'graphql-ws';
import 'graphiql/graphiql.css';
import { exampleOperations } from './examples.ts';

const KEY_STORAGE = 'vegshare.explorer.apiKey';
const httpUrl = new URL('/graphql', window.location.href).toString();

/**
 * The subscription to run, decided from the operation text itself (GraphiQL's parsed document can lag behind the
 * editor, and the toolkit misses a named subscription sent without an operation name); null for anything else.
 */
function subscriptionOf(query: string, operationName: string | null | undefined): { name: string | undefined } | null {
  try {
    const operation = getOperationAST(parse(query), operationName ?? undefined);
    return operation?.operation === 'subscription' ? { name: operation.name?.value } : null;
  } catch {
    return null;
  }
}
const wsUrl = httpUrl.replace(/^http/, 'ws');

function Explorer() {
  const [apiKey, setApiKey] = useState(() => window.localStorage.getItem(KEY_STORAGE) ?? '');
  const fetcher = useMemo<Fetcher>(() => {
    const headers: Record<string, string> = apiKey ? { 'x-api-key': apiKey } : {};
    const wsClient = createClient({ url: wsUrl, connectionParams: headers, lazy: true });
    const http = createGraphiQLFetcher({ url: httpUrl, headers });
    const ws = createGraphiQLFetcher({ url: httpUrl, headers, wsClient });
    // Subscriptions over graphql-ws, everything else over HTTP.
    return (params, options) => {
      const subscription = subscriptionOf(params.query, params.operationName);
      if (!subscription) return http(params, options);
      return ws({ ...params, ...(subscription.name ? { operationName: subscription.name } : {}) }, { ...options, documentAST: parse(params.query) });
    };
  }, [apiKey]);
  return (
    <div style={{ display: 'flex', flexDirection: 'column', height: '100vh' }}>
      <header style={{ display: 'flex', gap: 12, alignItems: 'center', padding: '8px 16px', fontFamily: 'system-ui, sans-serif', borderBottom: '1px solid #ddd' }}>
        <strong>VegShare partner explorer</strong>
        <label htmlFor="api-key" style={{ marginLeft: 'auto' }}>
          API key
        </label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          placeholder="vsk_…"
          value={apiKey}
          onChange={(e) => {
            setApiKey(e.target.value.trim());
            window.localStorage.setItem(KEY_STORAGE, e.target.value.trim());
          }}
          style={{ width: 360, padding: 4 }}
        />
      </header>
      <div style={{ flex: 1, minHeight: 0 }}>
        <GraphiQL
          fetcher={fetcher}
          defaultTabs={exampleOperations.map((op) => ({ query: op.query, ...(op.variables ? { variables: op.variables } : {}) }))}
          defaultEditorToolsVisibility
        />
      </div>
    </div>
  );
}

const root = document.getElementById('root');
if (root) createRoot(root).render(<StrictMode><Explorer /></StrictMode>);
