import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dailyIndex, parseLogBatch } from '../../src/documents.js';

const line = (o: object): string => JSON.stringify(o);

test('valid lines become documents in the daily index with stable ids', () => {
  const a = line({ '@timestamp': '2026-11-23T10:00:00.000Z', message: 'hello', 'service.name': 'order' });
  const { docs, dead } = parseLogBatch(`${a}\n${a}\n`, 'logs-brewops');
  assert.equal(dead.length, 0);
  assert.equal(docs.length, 2);
  assert.equal(docs[0]!.index, 'logs-brewops-2026.11.23');
  assert.equal(docs[0]!.id, docs[1]!.id, 'the same line must map to the same id (redelivery is harmless)');
});

test('ids differ per line and sort by the line\'s own time (Lucene-friendly, unlike random hex)', () => {
  const at = (iso: string, msg: string): string => line({ '@timestamp': iso, message: msg });
  const batch = [at('2026-11-23T10:00:00.002Z', 'c'), at('2026-11-23T10:00:00.001Z', 'b'), at('2026-11-23T10:00:00.001Z', 'a'), at('2026-11-23T11:00:00.000Z', 'a')];
  const ids = parseLogBatch(batch.join('\n'), 'logs-brewops').docs.map((d) => d.id);
  assert.equal(new Set(ids).size, 4, 'different lines, different ids');
  for (const id of ids) assert.match(id, /^[0-9a-f]{44}$/);
  assert.ok(ids[1]! < ids[0]! && ids[2]! < ids[0]! && ids[0]! < ids[3]!, `ids follow the timestamps: ${ids.join(' ')}`);
  assert.equal(ids[1]!.slice(0, 12), Date.parse('2026-11-23T10:00:00.001Z').toString(16).padStart(12, '0'));
});

test('malformed lines become dead letters with a reason, never a crash', () => {
  const batch = ['{"@timestamp": "2026', '[1,2]', line({ message: 'no time' }), line({ '@timestamp': 'x', message: 'bad time' })].join('\n');
  const { docs, dead } = parseLogBatch(batch, 'logs-brewops');
  assert.equal(docs.length, 0);
  assert.deepEqual(dead.map((d) => d.reason), ['malformed_json', 'not_an_object', 'missing_timestamp', 'missing_timestamp']);
});

test('PII that slipped through is masked before indexing', () => {
  const raw = line({ '@timestamp': '2026-11-23T10:00:00.000Z', message: 'card 4111 1111 1111 1111 from jane.doe@example.com' });
  const { docs } = parseLogBatch(raw, 'logs-brewops');
  const msg = String(docs[0]!.source['message']);
  assert.ok(!msg.includes('4111 1111 1111 1111'), msg);
  assert.ok(!msg.includes('jane.doe@example.com'), msg);
  assert.ok(msg.includes('1111'), 'last four digits kept');
});

test('daily index falls back to now for a missing timestamp', () => {
  assert.equal(dailyIndex('events', undefined, new Date('2026-01-02T03:04:05Z')), 'events-2026.01.02');
});

test('percent-encoded e-mails (a forwarded request path) are masked too, in documents and dead letters', () => {
  const a = line({ '@timestamp': '2026-11-23T10:00:00.000Z', message: 'GET', 'url.path': '/v1/members/jane.doe%40example.com', tags: ['x%40y.org'] });
  const { docs } = parseLogBatch(a, 'logs-brewops');
  assert.equal(docs[0]!.source['url.path'], '/v1/members/j***%40example.com');
  assert.deepEqual(docs[0]!.source['tags'], ['x***%40y.org']);
  const { dead } = parseLogBatch('not json /members/bob.smith%40example.org', 'logs-brewops');
  assert.equal(dead[0]!.raw, 'not json /members/b***%40example.org');
});

test('a line masking leaves alone is indexed as received (no second serialization); any masking or doubt means a fresh serialization', () => {
  const clean = line({ '@timestamp': '2026-11-23T10:00:00.000Z', message: 'hello', labels: { seq: 1 } });
  const masked = line({ '@timestamp': '2026-11-23T10:00:00.000Z', message: 'from jane.doe@example.com' });
  // a duplicate key hides the first value from the masking of the parsed object; the raw text still has it
  const duplicate = '{"@timestamp":"2026-11-23T10:00:00.000Z","message":"jane.doe@example.com","message":"x"}';
  const escaped = '{"@timestamp":"2026-11-23T10:00:00.000Z","message":"jane.doe\\u0040example.com"}';
  const { docs } = parseLogBatch([clean, masked, duplicate, escaped].join('\n'), 'logs-brewops');
  assert.equal(docs[0]!.json, clean);
  assert.equal(docs[0]!.timeMs, Date.parse('2026-11-23T10:00:00.000Z'));
  assert.equal(docs[1]!.json, undefined);
  assert.equal(docs[2]!.json, undefined);
  assert.ok(!JSON.stringify(docs[2]!.source).includes('jane.doe@'));
  assert.equal(docs[3]!.json, undefined);
  assert.equal(docs[3]!.source['message'], 'j***@example.com');
});

test('daily index is the UTC day of the timestamp, offsets included', () => {
  const a = line({ '@timestamp': '2026-11-24T01:00:00+02:00', message: 'x' });
  const b = line({ '@timestamp': '2026-11-24T01:00:00Z', message: 'x' });
  const { docs } = parseLogBatch(`${a}\n${b}`, 'logs-brewops');
  assert.deepEqual(docs.map((d) => d.index), ['logs-brewops-2026.11.23', 'logs-brewops-2026.11.24']);
});
