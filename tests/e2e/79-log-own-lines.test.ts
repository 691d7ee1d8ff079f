/**
 * After the whole suite (chaos, control loop, load, saga, restarts): no log line written by the
 * platform logger of a stack service was refused by the search backend. A refused line is in
 * `deadletter-brewops`, not in the log index: a user searching Kibana for it finds nothing.
 * Lines from the platform logger are recognised by their flat `service.name` key (the
 * deliberately bad lines of 52-log-deadletter use a nested `service` object), and only lines
 * written since this stack came up count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../support/stack.js';
import { deadLettersSince } from './50-log-helpers.js';

test('no log line of the stack\'s own services was dead-lettered since `up`', async () => {
  // supervisor.json is written by `brewops up`: older dead letters belong to an earlier stack.
  const since = statSync(join(root, '.brewops', 'supervisor.json')).mtime.toISOString();
  const letters = await deadLettersSince(since);
  const own: Array<{ service: string; reason: string; message: string }> = [];
  for (const l of letters) {
    let doc: unknown;
    try {
      doc = JSON.parse(l.raw);
    } catch {
      continue; // malformed on purpose (52-log-deadletter)
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) continue;
    const d = doc as Record<string, unknown>;
    if (typeof d['service.name'] !== 'string') continue;
    // Lines an earlier stack emitted while shutting down wait in the durable log queue and are
    // indexed (or refused) by this stack's collector: judge only lines written since this `up`.
    if (typeof d['@timestamp'] !== 'string' || d['@timestamp'] < since) continue;
    own.push({ service: d['service.name'], reason: l.reason.slice(0, 160), message: String(d['message'] ?? '').slice(0, 80) });
  }
  console.log(`  ${letters.length} dead letter(s) since ${since}; ${own.length} from the stack's own loggers`);
  const byReason = new Map<string, { count: number; example: string }>();
  for (const o of own) {
    const e = byReason.get(o.reason) ?? { count: 0, example: `${o.service}: ${o.message}` };
    e.count += 1;
    byReason.set(o.reason, e);
  }
  assert.equal(own.length, 0, `lines refused by the search backend:\n${[...byReason].map(([r, e]) => `  ${e.count}× ${r}\n     e.g. ${e.example}`).join('\n')}`);
});
