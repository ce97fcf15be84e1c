import { StrictMode, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { createClient } from 'graphql-ws';
import 'graphiql/graphiql.css';
import { exampleOperations } from './examples.ts';

const KEY_STORAGE = 'vegshare.explorer.apiKey';
const httpUrl = new URL('/graphql', window.location.href).toString();
const wsUrl = httpUrl.replace(/^http/, 'ws');

function Explorer() {
  const [apiKey, setApiKey] = useState(() => window.localStorage.getItem(KEY_STORAGE) ?? '');
  const fetcher = useMemo(() => {
    const headers: Record<string, string> = apiKey ? { 'x-api-key': apiKey } : {};
    return createGraphiQLFetcher({
      url: httpUrl,
      headers,
      wsClient: createClient({ url: wsUrl, connectionParams: headers, lazy: true }),
    });
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
