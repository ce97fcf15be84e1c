import { StrictMode, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { Kind, parse, type OperationDefinitionNode, type OperationTypeNode } from 'graphql';
import { createClient } from 'graphql-ws';
import 'graphiql/graphiql.css';
import { exampleOperations } from './examples.ts';

const KEY_STORAGE = 'vegshare.explorer.apiKey';
const httpUrl = new URL('/graphql', window.location.href).toString();

/**
 * The operation to run, decided from the text being sent: GraphiQL's operation name can lag behind the editor (run
 * right after an edit, it may still name an operation of the previous text), and the toolkit misses a named
 * subscription sent without an operation name. The given name wins when the text defines it; otherwise a text with a
 * single operation runs that one. Null when the text does not parse or the name is ambiguous (the server says why).
 */
function operationOf(
  query: string,
  operationName: string | null | undefined,
): { kind: OperationTypeNode; name: string | null } | null {
  try {
    const operations = parse(query).definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    const operation =
      operations.find((op) => operationName && op.name?.value === operationName) ??
      (operations.length === 1 ? operations[0] : undefined);
    return operation ? { kind: operation.operation, name: operation.name?.value ?? null } : null;
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
      const operation = operationOf(params.query, params.operationName);
      const sent = operation ? { ...params, operationName: operation.name } : params;
      if (operation?.kind !== 'subscription') return http(sent, options);
      return ws(sent, { ...options, documentAST: parse(params.query) });
    };
  }, [apiKey]);
  return (
    <div style={{ display: 'flex', flexDirection: 'column', height: '100vh' }}>
      <header
        style={{
          display: 'flex',
          gap: 12,
          alignItems: 'center',
          padding: '8px 16px',
          fontFamily: 'system-ui, sans-serif',
          borderBottom: '1px solid #ddd',
        }}
      >
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
          defaultTabs={exampleOperations.map((op) => ({
            query: op.query,
            ...(op.variables ? { variables: op.variables } : {}),
            ...(op.headers ? { headers: op.headers } : {}),
          }))}
          defaultEditorToolsVisibility
        />
      </div>
    </div>
  );
}

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <Explorer />
    </StrictMode>,
  );
