/**
 * Bad input on the log exchange: malformed lines and a document the backend rejects (mapping
 * conflict) end in `deadletter-brewops` with their reason, and the valid lines around them, in
 * the same batch and in the next one, are indexed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually } from '../support/stack.js';
import { countRun, deadLettersSince, LogPublisher, logLine } from './50-log-helpers.js';

test('malformed lines and a mapping conflict are dead-lettered with reasons; valid lines behind them are indexed', { timeout: 120_000 }, async () => {
  const run = `dead-${randomUUID().slice(0, 8)}`;
  const since = new Date(Date.now() - 5000).toISOString();
  const pub = await LogPublisher.open();
  try {
    await pub.publish([
      logLine(run, 0),
      `this is not json ${run}`,
      `{"truncated": "${run}`,
      JSON.stringify([run, 'an array, not an object']),
      JSON.stringify({ message: `no timestamp ${run}`, labels: { run } }),
      // log.level is a keyword in the template: an object there is a mapping conflict.
      logLine(run, 1, { 'log.level': { nested: 'object' }, message: `mapping conflict ${run}` }),
      logLine(run, 2),
    ]);
    await pub.publish([logLine(run, 3), logLine(run, 4)]);

    const expected = ['malformed_json', 'not_an_object', 'missing_timestamp', 'mapper_parsing_exception'];
    const mine = await eventually('the dead letters of the run', async () => {
      const dl = (await deadLettersSince(since)).filter((d) => d.raw.includes(run));
      return dl.length >= 5 ? dl : undefined;
    }, 60_000, 500);
    for (const d of mine) console.log(`  dead letter: reason=${d.reason.slice(0, 140)} raw=${d.raw.slice(0, 60)}`);
    const reasons = mine.map((d) => d.reason);
    for (const r of expected) assert.ok(reasons.some((x) => x.startsWith(r)), `no dead letter with reason ${r}: ${reasons.join(' | ')}`);
    assert.equal(reasons.filter((r) => r === 'malformed_json').length, 2);

    const valid = await eventually('the four valid lines', async () => {
      const n = await countRun(run);
      return n >= 4 ? n : undefined;
    }, 30_000, 500);
    console.log(`  valid lines indexed: ${valid}/4 (seq 0 and 2 in the bad batch, 3 and 4 in the next)`);
    assert.equal(valid, 4, 'the mapping-conflict line was indexed, or a valid one is missing');
  } finally {
    await pub.close();
  }
});
