// One measurement: autocannon at fixed concurrency for a fixed time (after a
// discarded warm-up), with our own latency percentiles from every response.
import autocannon from 'autocannon';
import type { BenchRequest } from './plugin.ts';

export interface LoadOptions {
  origin: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** A fixed request (cheapest for the load generator) or one per call. */
  request: BenchRequest | (() => BenchRequest);
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  errors: number;
  statuses: Record<string, number>;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

function toAutocannon(request: BenchRequest) {
  return { method: request.method ?? 'GET', path: request.path, headers: request.headers ?? {}, body: request.body };
}

function once(options: LoadOptions, seconds: number, record: boolean): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const dynamic = typeof options.request === 'function' ? options.request : undefined;
  const fixed = typeof options.request === 'function' ? undefined : toAutocannon(options.request);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.origin,
        connections: options.connections,
        duration: seconds,
        timeout: 10,
        ...(fixed
          ? { method: fixed.method, headers: fixed.headers, body: fixed.body, url: options.origin + fixed.path }
          : {
              requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, ...toAutocannon(dynamic!()) }) }],
            }),
      } as autocannon.Options,
      (error, result) => {
        if (error) return reject(error);
        const sorted = Float64Array.from(latencies).sort();
        const total = latencies.length;
        const ok = statuses['2xx'] ?? 0;
        resolve({
          requests: total,
          rps: ok / seconds,
          p50: percentile(sorted, 50),
          p95: percentile(sorted, 95),
          p99: percentile(sorted, 99),
          max: sorted[sorted.length - 1] ?? NaN,
          errors: result.errors + result.timeouts + (total - ok),
          statuses,
        });
      },
    );
    if (record) {
      instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
        latencies.push(responseTime);
        const family = `${Math.floor(statusCode / 100)}xx`;
        statuses[family] = (statuses[family] ?? 0) + 1;
        if (family !== '2xx') statuses[String(statusCode)] = (statuses[String(statusCode)] ?? 0) + 1;
      });
    } else {
      instance.on('response', (_client: unknown, statusCode: number) => {
        const family = `${Math.floor(statusCode / 100)}xx`;
        statuses[family] = (statuses[family] ?? 0) + 1;
        latencies.push(0);
      });
    }
  });
}

export async function measure(options: LoadOptions): Promise<LoadResult> {
  if (options.warmupSeconds > 0) await once(options, options.warmupSeconds, false);
  return once(options, options.durationSeconds, true);
}
