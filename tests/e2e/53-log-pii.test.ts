/**
 * A card number and an e-mail address logged on purpose are searchable only masked: once in a
 * raw line published past the services' logger (the collector masks it), once in a request path
 * that the gateway and member services log (their logger masks it before shipping; the
 * percent-encoded e-mail the gateway forwards to member is masked by the collector).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually, urls } from '../support/stack.js';
import { logField, searchLogs, searchLogsText } from '../support/backends.js';
import { gatewayFetch } from '../support/gateway-auth.js';
import { LogPublisher, logLine } from './50-log-helpers.js';

const CARD = '4111 1111 1111 1111';
const CARD_PLAIN = '4111111111111111';

test('a card number and an e-mail appear only masked in the search backend', { timeout: 120_000 }, async (t) => {
  const run = `pii-${randomUUID().slice(0, 8)}`;
  const email = `jane.${run}@example.com`;

  await t.test('raw line published to the log exchange: masked by the collector', async () => {
    const pub = await LogPublisher.open();
    try {
      await pub.publish([logLine(run, 0, { message: `charging ${CARD} for ${email}`, customer: { email, card: CARD_PLAIN } })]);
    } finally {
      await pub.close();
    }
    const docs = await eventually('the PII line', async () => {
      const d = await searchLogs('labels.run', run);
      return d.length > 0 ? d : undefined;
    }, 30_000, 500);
    const text = JSON.stringify(docs);
    console.log(`  indexed: message=${JSON.stringify(docs[0]!.message)} customer=${JSON.stringify(docs[0]!['customer'])}`);
    assert.ok(!text.includes(email) && !text.includes(CARD) && !text.includes(CARD_PLAIN), `PII indexed: ${text}`);
    assert.ok(text.includes('**** **** **** 1111') && text.includes('j***@example.com'), `not masked as expected: ${text}`);
  });

  await t.test('request paths logged by the gateway and member: masked (by the logger; the %40 form by the collector)', async () => {
    const cid = `${run}-svc`;
    for (const id of [email, CARD_PLAIN]) {
      const r = await gatewayFetch(`${urls.gateway()}/api/member/v1/members/${id}`, { headers: { 'x-correlation-id': cid } });
      await r.arrayBuffer();
    }
    const docs = await eventually('request lines of gateway and member', async () => {
      const d = await searchLogs('correlation.id', cid);
      const services = new Set(d.map((x) => logField(x, 'service.name')));
      return services.has('gateway') && services.has('member') && d.length >= 4 ? d : undefined;
    }, 45_000, 1000);
    const paths = docs.map((d) => `${logField(d, 'service.name')}: ${logField(d, 'url.path') ?? d.message}`);
    for (const p of paths) console.log(`  ${p}`);
    const text = JSON.stringify(docs);
    // The gateway forwards the path percent-encoded (`%40`): that form must be masked as well.
    const encoded = encodeURIComponent(email);
    assert.ok(!text.includes(email) && !text.includes(encoded) && !text.includes(CARD_PLAIN), `PII indexed: ${paths.join('\n')}`);
    assert.ok(text.includes('j***@example.com') && text.includes('**** **** **** 1111'), `not masked as expected: ${paths.join('\n')}`);
  });

  await t.test('full-text search finds neither value anywhere in the log indices', async () => {
    const hits = {
      email: await searchLogsText(email),
      emailEncoded: await searchLogsText(encodeURIComponent(email)),
      card: await searchLogsText(CARD),
      cardPlain: await searchLogsText(CARD_PLAIN),
    };
    console.log(`  full-text hits: ${JSON.stringify(hits)}`);
    assert.deepEqual(hits, { email: 0, emailEncoded: 0, card: 0, cardPlain: 0 });
  });
});
