/** `node --import .../telemetry/register.js app.js` as the supervisor runs it, in child processes. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const register = pathToFileURL(join(__dirname, '..', '..', 'src', 'telemetry', 'register.js')).href;

// The "app": serves a request through the platform's listen (as every service does) and reports
// whether the SDK is registered and whether the request ran under a recording server span.
const app = `
const { trace } = require('@opentelemetry/api');
const { listen } = require('./dist/src/http/server.js');
const sdk = globalThis[Symbol.for('brewops.telemetry')];
const handler = (req, res) => {
  const span = trace.getActiveSpan();
  res.end(JSON.stringify({ traced: Boolean(span && span.isRecording()) }));
};
listen({ callback: () => handler }, { host: '127.0.0.1', port: 0 }).then(async ({ server, port }) => {
  const res = await fetch('http://127.0.0.1:' + port + '/x');
  const body = await res.json();
  console.log(JSON.stringify({ registered: sdk !== undefined, ...body }));
  server.close();
  if (sdk) await sdk.shutdown();
});
`;

function run(env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BREWOPS_') && !k.startsWith('OTEL_')));
  const r = spawnSync(process.execPath, ['--import', register, '-e', app], {
    env: { ...base, ...env },
    cwd: join(__dirname, '..', '..', '..'),
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('telemetry/register', () => {
  it('without BREWOPS_SERVICE: warns on stderr, starts nothing, the app runs', () => {
    const r = run({});
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /BREWOPS_SERVICE is not set/);
    assert.deepEqual(JSON.parse(r.stdout.trim()), { registered: false, traced: false });
  });

  it('with BREWOPS_SERVICE: starts the SDK before the app, which gets traced; an unreachable Zipkin is harmless', () => {
    const r = run({ BREWOPS_SERVICE: 'probe', ZIPKIN_URL: 'http://127.0.0.1:9/api/v2/spans' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim()), { registered: true, traced: true });
  });

  it('an invalid env is reported on stderr, never thrown', () => {
    const r = run({ BREWOPS_SERVICE: 'probe', PORT: 'not-a-port' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /not started: PORT must be/);
  });
});
