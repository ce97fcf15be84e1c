/**
 * The event-loop delay of a benchmarked process at 1 ms resolution (perf_hooks `monitorEventLoopDelay`), served on a
 * loopback port of its own: `GET /loop` answers the delay since the previous read (p50, p99, max in ms, samples) and
 * starts a new window. prom-client's default metrics (the kit's `/metrics`) sample at 10 ms, and every sample
 * includes the resolution, which is too coarse to tell a 20 ms goal apart; this probe's samples include 1 ms.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LoopDelay {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly samples: number;
}

export const LOOP_PROBE_RESOLUTION_MS = 1;

const ms = (ns: number) => ns / 1e6;

/** Starts the histogram and its HTTP reader; resolves with the reader's base URL and a stop function. */
export async function startLoopProbe(): Promise<{ url: string; stop(): Promise<void> }> {
  const histogram = monitorEventLoopDelay({ resolution: LOOP_PROBE_RESOLUTION_MS });
  histogram.enable();
  const server = createServer((req, res) => {
    if (req.url !== '/loop') {
      res.writeHead(404).end();
      return;
    }
    const delay: LoopDelay = {
      p50: ms(histogram.percentile(50)),
      p99: ms(histogram.percentile(99)),
      max: ms(histogram.max),
      samples: histogram.count,
    };
    histogram.reset();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(delay));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        histogram.disable();
        server.close(() => resolve());
      }),
  };
}

/** Reads (and restarts) the probe behind `url`. */
export async function readLoopDelay(url: string): Promise<LoopDelay> {
  return (await (await fetch(`${url}/loop`)).json()) as LoopDelay;
}
