// A fake Prometheus HTTP API for the controller's Prometheus signal tests (node:http on port 0).
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseDurationMs } from '../../src/config.js';

/** Cumulative user-route counters of one instance ID as Prometheus scraped them at `at` (epoch ms). */
export interface Sample { service: string; instanceId: string; at: number; requests: number; errors: number; seconds: number }

/**
 * A fake Prometheus HTTP API: `/api/v1/query` (POST form, as the signal sends it) answers an
 * instant vector per (service, instance_id) with the increase of the queried counter over the
 * query's range ending at its `time` — last minus first sample inside `(time − range, time]`, at
 * least two samples — which is what `increase` gives without extrapolation. The counter comes
 * from the expression: `_sum` → seconds, an own-5xx matcher → errors, else requests.
 */
export class FakePrometheus {
  readonly samples: Sample[] = [];
  readonly queries: Array<{ query: string; time: number }> = [];
  mode: 'ok' | 'error' | 'hang' = 'ok';
  /** Answers regardless of time, by `service/instance_id` (for tests of the loop in real time). */
  readonly fixed = new Map<string, { requests: number; errors: number; seconds: number }>();
  private server: Server | undefined;
  url = '';

  async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/api/v1/query') {
          res.writeHead(404).end('not found');
          return;
        }
        if (this.mode === 'hang') return; // never answers: the signal's timeout must fire
        if (this.mode === 'error') {
          res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'error', errorType: 'unavailable', error: 'TSDB not ready' }));
          return;
        }
        const form = new URLSearchParams(body);
        const query = form.get('query') ?? '';
        const time = Number(form.get('time')) * 1000;
        this.queries.push({ query, time });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
          status: 'success',
          data: { resultType: 'vector', result: this.evaluate(query, time) },
        }));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  evaluate(query: string, time: number): Array<{ metric: Record<string, string>; value: [number, string] }> {
    const fieldOf = (q: string): 'requests' | 'errors' | 'seconds' => q.includes('_sum{') ? 'seconds' : q.includes('status_code=~"5..", status_code!~"50[234]"') ? 'errors' : 'requests';
    if (this.fixed.size > 0) {
      return [...this.fixed].map(([k, v]) => ({ metric: { service: k.split('/')[0]!, instance_id: k.split('/')[1]! }, value: [time / 1000, String(v[fieldOf(query)])] }));
    }
    const range = parseDurationMs(/\[((?:\d+[a-z]+)+)\]/.exec(query)?.[1] ?? ''); // the range, not the `[234]` of a matcher
    const field = fieldOf(query);
    const byKey = new Map<string, Sample[]>();
    for (const s of this.samples) {
      if (s.at <= time - range || s.at > time) continue;
      const k = `${s.service}/${s.instanceId}`;
      byKey.set(k, [...(byKey.get(k) ?? []), s]);
    }
    // as `increase` does within one series: a counter that goes down was reset (a new process)
    const increase = (ss: Sample[]): number => ss.slice(1).reduce((sum, s, i) => {
      const prev = ss[i]![field] as number;
      const v = s[field] as number;
      return sum + (v < prev ? v : v - prev);
    }, 0);
    return [...byKey.values()].map((ss) => ss.sort((a, b) => a.at - b.at)).filter((ss) => ss.length >= 2).map((ss) => ({
      metric: { service: ss[0]!.service, instance_id: ss[0]!.instanceId },
      value: [time / 1000, String(increase(ss))],
    }));
  }

  /** Scrapes every 5 s from `from` to `to` (ms), counters growing by these amounts per scrape. */
  scrape(service: string, instanceId: string, from: number, to: number, per: { requests: number; errors: number; seconds: number }, start = { requests: 0, errors: 0, seconds: 0 }): void {
    let c = { ...start };
    for (let at = from; at <= to; at += 5000) {
      this.samples.push({ service, instanceId, at, ...c });
      c = { requests: c.requests + per.requests, errors: c.errors + per.errors, seconds: c.seconds + per.seconds };
    }
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}

