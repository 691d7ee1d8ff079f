import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace } from '@opentelemetry/api';
import type { Context, Span, SpanOptions, Tracer } from '@opentelemetry/api';
import { createMetrics } from '@brewops/platform';
import { createControllerMetrics } from '../../src/controller-metrics.js';
import { Engine } from '../../src/engine.js';
import type { EngineConfig } from '../../src/engine.js';
import { IncidentLog } from '../../src/incidents.js';
import { MAX_TIMELINE, Recorder } from '../../src/recorder.js';
import { METRIC_ACTIONS, METRIC_RECOVERY_SECONDS, METRIC_VERIFICATIONS, SPAN_INCIDENT } from '../../src/semconv.js';

interface FakeSpan { name: string; traceId: string; parent: FakeSpan | undefined; attributes: Record<string, unknown>; events: string[]; ended: boolean }

/** A tracer that keeps spans with their parent, enough to check the shape of an incident's trace. */
function fakeTracer(): { tracer: Tracer; spans: FakeSpan[] } {
  const spans: FakeSpan[] = [];
  let n = 0;
  const tracer = {
    startSpan(name: string, opts: SpanOptions = {}, ctx: Context = context.active()): Span {
      const parentSpan = opts.root ? undefined : (trace.getSpan(ctx) as unknown as { fake?: FakeSpan } | undefined)?.fake;
      const fake: FakeSpan = { name, traceId: parentSpan?.traceId ?? (++n).toString(16).padStart(32, '0'), parent: parentSpan, attributes: { ...opts.attributes }, events: [], ended: false };
      spans.push(fake);
      const span = {
        fake,
        spanContext: () => ({ traceId: fake.traceId, spanId: '0'.repeat(16), traceFlags: 1 }),
        setAttribute: (k: string, v: unknown) => { fake.attributes[k] = v; return span; },
        addEvent: (e: string) => { fake.events.push(e); return span; },
        setStatus: () => span,
        end: () => { fake.ended = true; },
        isRecording: () => true,
      };
      return span as unknown as Span;
    },
  } as unknown as Tracer;
  return { tracer, spans };
}

const cfg: EngineConfig = {
  dryRun: false,
  rules: { suspectAfterFailures: 2, rerouteAfterFailures: 3, restartAfterMs: 2000, recoverAfterSuccesses: 2, recoveryTimeoutMs: 10_000, verifyWindowMs: 5000 },
  backoff: { baseDelayMs: 1000, maxDelayMs: 8000, maxRestarts: 3, windowMs: 600_000 },
  safety: { maxOutShare: 0.5, actionsPerMinute: 60, actionBurst: 10 },
};

describe('Recorder', () => {
  it('one trace per incident, a span per action, a timeline, durations and metrics', async () => {
    const { tracer, spans } = fakeTracer();
    const m = createMetrics({ service: 'controller', instanceId: 'c-1', defaultMetrics: false, exemplars: false });
    const metrics = createControllerMetrics(m.registry);
    const incidents = new IncidentLog(() => 10);
    const logs: string[] = [];
    const logger = { info: (_o: object, msg?: string) => void logs.push(msg ?? ''), warn() {} };
    const engine: Engine = new Engine(() => cfg, (e) => recorder.record(e), 1000);
    const recorder: Recorder = new Recorder({ tracer, logger, metrics, incidents, dryRun: () => false, lastOkAt: (s, i) => engine.lastOkAt(s, i) });
    engine.track('member', 'm-1', 1000);
    engine.track('member', 'm-2', 1000);
    engine.signal('member', 'm-1', { type: 'probe', ok: true }, 1000);
    let now = 1250;
    for (let i = 0; i < 3; i++, now += 250) engine.signal('member', 'm-1', { type: 'probe', ok: false, detail: 'ECONNREFUSED' }, now);
    const run = (t: number): void => { for (const d of engine.step(t)) engine.complete(d, 'ok', 'done', t + 20); };
    run(1750); // reroute
    run(3800); // restart
    engine.signal('member', 'm-1', { type: 'probe', ok: true }, 5000);
    engine.signal('member', 'm-1', { type: 'probe', ok: true }, 5250);
    run(5250); // reinstate
    assert.equal(incidents.list()[0]?.status, 'open', 'open while verifying');
    assert.doesNotMatch(await m.registry.metrics(), new RegExp(`${METRIC_RECOVERY_SECONDS}_count\\{target_service="member"\\} 1`), 'no recovery before it is verified');
    for (now = 5500; now <= 10_500; now += 250) {
      engine.signal('member', 'm-1', { type: 'probe', ok: true }, now);
      run(now);
    }

    const [inc] = incidents.list();
    assert.equal(inc?.status, 'recovered');
    // recovery: back in traffic (reinstated at 5270); verified: the 5 s window passed
    assert.deepEqual(inc?.durations, { detectMs: 750, rerouteMs: 770, restartMs: 20, recoveryMs: 4270, verifiedMs: 9500 });
    const last = inc!.timeline.at(-1)!;
    assert.deepEqual([last.type, last.from, last.to, last.detail], ['state', 'verifying', 'healthy', 'verified: ready and within SLO for 5000 ms']);
    assert.ok(inc!.timeline.some((t) => t.type === 'state' && t.to === 'verifying'));
    assert.equal(inc?.failingSince, new Date(1000).toISOString());
    assert.deepEqual(inc?.timeline.filter((t) => t.type === 'decision').map((t) => t.action), ['reroute', 'restart', 'reinstate']);

    const root = spans.find((s) => s.name === SPAN_INCIDENT)!;
    assert.ok(root.ended, 'the incident span ends with the incident');
    assert.equal(inc?.traceId, root.traceId);
    const actions = spans.filter((s) => s !== root);
    assert.deepEqual(actions.map((s) => s.name), ['controller.reroute', 'controller.restart', 'controller.reinstate']);
    assert.ok(actions.every((s) => s.parent === root && s.traceId === root.traceId && s.ended), 'every action is a child in the incident trace');
    assert.ok(logs.some((l) => /member\/m-1 action restart → ok/.test(l)));

    const text = await m.registry.metrics();
    assert.match(text, new RegExp(`${METRIC_ACTIONS}\\{action="restart",result="ok"\\} 1`));
    assert.match(text, new RegExp(`${METRIC_RECOVERY_SECONDS}_count\\{target_service="member"\\} 1`));
    assert.match(text, new RegExp(`${METRIC_VERIFICATIONS}\\{target_service="member",result="passed"\\} 1`));
  });

  it('a failed verification keeps the incident open, is counted, and the next reroute joins the same incident', async () => {
    const { tracer } = fakeTracer();
    const m = createMetrics({ service: 'c', instanceId: 'c', defaultMetrics: false, exemplars: false });
    const metrics = createControllerMetrics(m.registry);
    const incidents = new IncidentLog(() => 10);
    const engine: Engine = new Engine(() => cfg, (e) => recorder.record(e), 0);
    const recorder: Recorder = new Recorder({ tracer, logger: { info() {}, warn() {} }, metrics, incidents, dryRun: () => false, lastOkAt: (s, i) => engine.lastOkAt(s, i) });
    engine.track('member', 'm-1', 0);
    engine.track('member', 'm-2', 0);
    const run = (t: number): void => { for (const d of engine.step(t)) engine.complete(d, 'ok', 'done', t); };
    for (let i = 0; i < 3; i++) engine.signal('member', 'm-1', { type: 'probe', ok: false }, 100);
    run(100); // reroute
    engine.signal('member', 'm-1', { type: 'probe', ok: true }, 200);
    engine.signal('member', 'm-1', { type: 'probe', ok: true }, 300);
    run(300); // reinstate, no restart
    engine.signal('member', 'm-1', { type: 'alert', name: 'error_ratio', firing: true }, 1300);
    run(1300); // rerouted again

    const all = incidents.list();
    assert.equal(all.length, 1, 'one incident for the whole story');
    const inc = all[0]!;
    assert.equal(inc.status, 'open');
    assert.equal(inc.durations.recoveryMs, null);
    assert.deepEqual(
      inc.timeline.filter((t) => ['verification_failed', 'action'].includes(t.type)).map((t) => t.type === 'action' ? `${t.action}:${t.result}` : `${t.type}: ${t.detail}`),
      ['reroute:ok', 'reinstate:ok', 'verification_failed: slo_breached: error_ratio, 1000 ms into the 5000 ms window', 'reroute:ok'],
    );
    const text = await m.registry.metrics();
    assert.match(text, new RegExp(`${METRIC_VERIFICATIONS}\\{target_service="member",result="failed"\\} 1`));
    assert.doesNotMatch(text, new RegExp(`${METRIC_RECOVERY_SECONDS}_count\\{target_service="member"\\} [1-9]`));
  });

  it('a transient failure closes as cleared, with no action', () => {
    const { tracer } = fakeTracer();
    const metrics = createControllerMetrics(createMetrics({ service: 'c', instanceId: 'c', defaultMetrics: false, exemplars: false }).registry);
    const incidents = new IncidentLog(() => 10);
    const engine: Engine = new Engine(() => cfg, (e) => recorder.record(e), 0);
    const recorder: Recorder = new Recorder({ tracer, logger: { info() {}, warn() {} }, metrics, incidents, dryRun: () => false, lastOkAt: (s, i) => engine.lastOkAt(s, i) });
    engine.track('member', 'm-1', 0);
    engine.signal('member', 'm-1', { type: 'probe', ok: false }, 10);
    engine.signal('member', 'm-1', { type: 'probe', ok: false }, 20);
    engine.signal('member', 'm-1', { type: 'probe', ok: true }, 30);
    assert.deepEqual(incidents.list().map((i) => i.status), ['cleared']);
  });

  it('a long incident keeps its first and its latest timeline entries, bounded', () => {
    const { tracer } = fakeTracer();
    const metrics = createControllerMetrics(createMetrics({ service: 'c', instanceId: 'c', defaultMetrics: false, exemplars: false }).registry);
    const incidents = new IncidentLog(() => 10);
    const recorder: Recorder = new Recorder({ tracer, logger: { info() {}, warn() {} }, metrics, incidents, dryRun: () => false, lastOkAt: () => 0 });
    recorder.record({ at: 1, service: 'member', instanceId: 'm-1', type: 'suspect', detail: 'first' });
    for (let i = 0; i < 2000; i++) recorder.record({ at: 2 + i, service: 'member', instanceId: 'm-1', type: 'alert', detail: `entry ${i}` });
    const inc = incidents.current('member', 'm-1')!;
    assert.equal(inc.timeline.length, MAX_TIMELINE);
    assert.equal(inc.timeline[0]!.detail, 'first');
    assert.equal(inc.timeline.at(-1)!.detail, 'entry 1999');
    assert.equal(inc.timelineDropped, 2001 - MAX_TIMELINE);
  });
});
