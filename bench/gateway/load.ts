import autocannon from 'autocannon';

export interface LoadOptions {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Headers taken in turn, one set per request across all connections (e.g. each caller's Authorization): requests in
   * flight at once then come from different callers.
   */
  readonly rotatingHeaders?: readonly Readonly<Record<string, string>>[];
  readonly connections: number;
  readonly seconds: number;
  /** Exact body every response must have (the one validated before measuring); differences count as errors. */
  readonly expectBody?: string;
}

export interface LoadResult {
  /** Responses received within the measured time. */
  readonly requests: number;
  /** Requests sent, including those still in flight when time was up. */
  readonly sent: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** Transport errors, timeouts, non-2xx answers and bodies unlike the validated one. */
  readonly failures: number;
}

/** autocannon's per-request hook that merges the next set of `rotating` headers into each request. */
function rotateHeaders(
  rotating: readonly Readonly<Record<string, string>>[],
): (request: autocannon.Request) => autocannon.Request {
  let next = 0;
  return (request) => {
    const extra = rotating[next % rotating.length];
    next += 1;
    return { ...request, headers: { ...request.headers, ...extra } };
  };
}

/** Drives one endpoint with autocannon at a fixed number of connections for a fixed time. */
export async function drive(options: LoadOptions): Promise<LoadResult> {
  const rotating = options.rotatingHeaders?.length ? options.rotatingHeaders : undefined;
  // autocannon refuses expectBody beside a requests list: the body is then compared here.
  let mismatches = 0;
  const expectBody = options.expectBody;
  const onResponse =
    rotating && expectBody !== undefined
      ? (status: number, body: string) => {
          if (status >= 200 && status < 300 && body !== expectBody) mismatches += 1;
        }
      : undefined;
  const result = await autocannon({
    url: options.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: options.body,
    connections: options.connections,
    pipelining: 1,
    duration: options.seconds,
    timeout: 10,
    ...(rotating
      ? { requests: [{ setupRequest: rotateHeaders(rotating), ...(onResponse ? { onResponse } : {}) }] }
      : options.expectBody
        ? { expectBody: options.expectBody }
        : {}),
  });
  const seconds = result.duration;
  const ok = result.requests.total;
  return {
    requests: ok,
    sent: result.requests.sent,
    seconds,
    rps: ok / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.errors + result.timeouts + result.non2xx + result.mismatches + mismatches,
  };
}

/** Sum of `http_request_duration_seconds_count{route="/graphql"}` (all methods and statuses) in a Prometheus text page. */
export function countGraphqlRequests(metricsText: string): number {
  let total = 0;
  for (const line of metricsText.split('\n')) {
    if (line.startsWith('http_request_duration_seconds_count{') && line.includes('route="/graphql"')) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

/** /graphql requests a subgraph has served so far, from its /metrics (at its internal metrics URL). */
export async function graphqlRequestCount(baseUrl: string): Promise<number> {
  return countGraphqlRequests(await (await fetch(`${baseUrl}/metrics`)).text());
}

export async function totalGraphqlRequests(baseUrls: readonly string[]): Promise<number> {
  const counts = await Promise.all(baseUrls.map(graphqlRequestCount));
  return counts.reduce((a, b) => a + b, 0);
}
