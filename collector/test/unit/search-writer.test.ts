import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@brewops/platform';
import { readCollectorConfig } from '../../src/config.js';
import { SearchWriter } from '../../src/search-writer.js';
import { parseLogBatch } from '../../src/documents.js';

interface Seen { path: string; lines: string[] }
type Reply = (lines: string[]) => { status: number; body: unknown };

/** A stand-in search backend: templates accepted, each `_bulk` answered by the next reply. */
async function fakeBackend(replies: Reply[]): Promise<{ url: string; bulks: Seen[]; close(): Promise<void> }> {
  const bulks: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    req.on('end', () => {
      const send = (status: number, b: unknown): void => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(b)); };
      if (!req.url?.startsWith('/_bulk')) return send(200, { acknowledged: true });
      const lines = body.split('\n').filter((l) => l !== '');
      bulks.push({ path: req.url, lines });
      const r = (replies.shift() ?? (() => ({ status: 200, body: { errors: false } })))(lines);
      send(r.status, r.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, bulks, close: () => new Promise((r) => server.close(() => r())) };
}

const logger = { warn: () => undefined, info: () => undefined, error: () => undefined, debug: () => undefined } as unknown as Logger;
const batch = [
  JSON.stringify({ '@timestamp': '2026-11-23T10:00:00.000Z', message: 'plain' }),
  JSON.stringify({ '@timestamp': '2026-11-23T10:00:01.000Z', message: 'mail jane.doe@example.com', event: 'x' }),
].join('\n');

test('one NDJSON bulk: lines masking left alone go as received, masked ones re-serialized; response trimmed', async () => {
  const be = await fakeBackend([]);
  const w = new SearchWriter(readCollectorConfig({ OPENSEARCH_URL: be.url }), logger);
  try {
    const { docs, dead } = parseLogBatch(`${batch}\nnot json`, 'logs-brewops');
    assert.deepEqual(await w.write(docs, dead), { indexed: 2, deadLettered: 1 });
    assert.equal(be.bulks.length, 1);
    const { path, lines } = be.bulks[0]!;
    assert.match(decodeURIComponent(path), /filter_path=errors,items\.\*\.status,items\.\*\.error/);
    assert.equal(lines.length, 6);
    assert.deepEqual(JSON.parse(lines[0]!), { index: { _index: 'logs-brewops-2026.11.23', _id: docs[0]!.id } });
    assert.equal(lines[1], batch.split('\n')[0]);
    assert.equal(JSON.parse(lines[3]!).message, 'mail j***@example.com');
    assert.equal(JSON.parse(lines[4]!).index._index, 'deadletter-brewops');
    assert.equal(JSON.parse(lines[5]!).reason, 'malformed_json');
  } finally {
    await w.close();
    await be.close();
  }
});

test('a rejected document is dead-lettered with its reason; a 429 item retries the whole bulk before resolving', async () => {
  const ok = { status: 201 };
  const be = await fakeBackend([
    () => ({ status: 200, body: { errors: true, items: [{ index: ok }, { index: { status: 429, error: { type: 'es_rejected_execution_exception' } } }] } }),
    () => ({ status: 200, body: { errors: true, items: [{ index: ok }, { index: { status: 400, error: { type: 'mapper_parsing_exception', reason: 'event is an object' } } }] } }),
  ]);
  const w = new SearchWriter(readCollectorConfig({ OPENSEARCH_URL: be.url }), logger);
  try {
    const { docs } = parseLogBatch(batch, 'logs-brewops');
    assert.deepEqual(await w.write(docs, []), { indexed: 1, deadLettered: 1 });
    assert.equal(be.bulks.length, 3, 'bulk, retried bulk, dead-letter bulk');
    assert.deepEqual(be.bulks[1]!.lines, be.bulks[0]!.lines);
    const parked = JSON.parse(be.bulks[2]!.lines[1]!) as { reason: string; raw: string };
    assert.equal(parked.reason, 'mapper_parsing_exception: event is an object');
    assert.ok(!parked.raw.includes('jane.doe@'), parked.raw);
  } finally {
    await w.close();
    await be.close();
  }
});
