import { describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { serverSpan, traceCarrier, withCarrier } from '../src/tracing.ts';

describe('trace context into queued work', () => {
  it('a job queued inside a request runs in a span of the same trace, child of the request', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    provider.register({ propagator: new W3CTraceContextPropagator() });
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    // The request queues a job: what travels with it is a plain carrier (JSON in BullMQ / the in-process queue).
    const carrier = await serverSpan(
      'POST /graphql',
      { traceparent },
      async () => JSON.parse(JSON.stringify(traceCarrier())) as Record<string, string>,
    );
    await withCarrier('transcode job-1', carrier, async () => undefined);
    const spans = exporter.getFinishedSpans();
    const request = spans.find((s) => s.name === 'POST /graphql');
    const job = spans.find((s) => s.name === 'transcode job-1');
    expect(request?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(job?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(job?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
    await provider.shutdown();
  });

  it('without a carrier the job still runs (tracing off costs nothing)', async () => {
    await expect(withCarrier('transcode job-2', undefined, async () => 42)).resolves.toBe(42);
  });
});

describe('server spans', () => {
  it('without a tracer provider the request runs as is, on a span that records nothing', async () => {
    trace.disable(); // the provider an earlier test registered
    const seen = await serverSpan('POST /graphql', {}, async (span) => ({
      recording: span.isRecording(),
      valid: span.spanContext().traceId !== '00000000000000000000000000000000',
    }));
    expect(seen).toEqual({ recording: false, valid: false });
  });
});
