import {
  context,
  propagation,
  trace,
  INVALID_SPAN_CONTEXT,
  ProxyTracerProvider,
  SpanKind,
  SpanStatusCode,
  type Span,
  type Context,
} from '@opentelemetry/api';
import type { IncomingHttpHeaders } from 'node:http';

/** Whether a provider is registered (or being registered): one per process. */
let active = false;

/**
 * OpenTelemetry tracing, on only when an OTLP endpoint is configured (`OTEL_EXPORTER_OTLP_ENDPOINT`); otherwise the
 * API's no-op tracer makes every call below free. Outgoing fetches (gateway → subgraphs, service → service) are traced
 * and carry `traceparent` through the undici instrumentation; incoming requests continue the caller's trace
 * (`serverSpan`); Apollo Gateway adds its own plan/fetch spans through the same global tracer.
 */
export function initTracing(serviceName: string, endpoint: string | undefined): { shutdown(): Promise<void> } {
  if (!endpoint || active) return { shutdown: async () => undefined };
  active = true;
  const registered = registerProvider(serviceName, endpoint);
  // A failure surfaces at shutdown; until then the API's no-op tracer stays in place.
  registered.catch(() => undefined);
  return {
    async shutdown() {
      try {
        await (await registered).shutdown();
      } finally {
        active = false;
      }
    },
  };
}

/**
 * The SDK, the OTLP exporter and the instrumentation, loaded only when tracing is on: ~3.4 MB of heap that a process
 * without an endpoint (the API's no-op tracer) never uses (issue 17). Registered as soon as they are loaded, which a
 * service's start (database, revocation catch-up, schema) outlasts before it serves its first request.
 */
async function registerProvider(serviceName: string, endpoint: string): Promise<{ shutdown(): Promise<void> }> {
  const [core, otlp, instrumentation, undici, resources, sdk] = await Promise.all([
    import('@opentelemetry/core'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/instrumentation'),
    import('@opentelemetry/instrumentation-undici'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-node'),
  ]);
  const provider = new sdk.NodeTracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [
      new sdk.BatchSpanProcessor(new otlp.OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` })),
    ],
  });
  provider.register({ propagator: new core.W3CTraceContextPropagator() });
  instrumentation.registerInstrumentations({ instrumentations: [new undici.UndiciInstrumentation()] });
  return provider;
}

const headerGetter = {
  keys: (carrier: IncomingHttpHeaders) => Object.keys(carrier),
  get: (carrier: IncomingHttpHeaders, key: string) => carrier[key],
};

/** Runs `fn` in a span of `kind` under `parent`, recording a thrown error on it. */
function inSpan<T>(name: string, kind: SpanKind, parent: Context, fn: (span: Span) => Promise<T>): Promise<T> {
  return trace.getTracer('vegshare').startActiveSpan(name, { kind }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** What `fn` gets when no tracer provider is registered: the API's own non-recording span, made once. */
const notTraced = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * No tracer provider is registered: the API's proxy has no delegate, so every span would be a non-recording one.
 * A provider registered through another copy of the API is a different proxy: then this says false and spans are made.
 */
const untraced = (): boolean => {
  const provider = trace.getTracerProvider();
  return provider instanceof ProxyTracerProvider && provider.getDelegateTracer('vegshare') === undefined;
};

/**
 * Runs `fn` inside a server span that continues the trace of the incoming request's `traceparent`. Without a tracer
 * provider `fn` runs as is: extracting the context and making a no-op span and context per request cost the gateway
 * ~0.3 % of its CPU for nothing (issue 17).
 */
export function serverSpan<T>(name: string, headers: IncomingHttpHeaders, fn: (span: Span) => Promise<T>): Promise<T> {
  if (untraced()) return fn(notTraced);
  return inSpan(name, SpanKind.SERVER, propagation.extract(context.active(), headers, headerGetter), fn);
}

/** The current trace context as a plain carrier, to put into queued jobs and events. */
export function traceCarrier(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** Runs `fn` as a consumer span continuing the trace stored in a job or event by `traceCarrier()`. */
export function withCarrier<T>(
  name: string,
  carrier: Record<string, string> | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  return inSpan(
    name,
    SpanKind.CONSUMER,
    carrier ? propagation.extract(context.active(), carrier) : context.active(),
    () => fn(),
  );
}
