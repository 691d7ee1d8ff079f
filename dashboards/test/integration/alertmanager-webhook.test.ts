// alert-rules/alertmanager.yml in a real Alertmanager (the Debian binary `brewops up` installs),
// started here on free ports with the receivers' URLs pointed at a local HTTP listener and the
// token file at a temporary one: a critical alert reaches the controller's webhook within seconds,
// with the bearer token read from the credentials file; a warning never goes there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from '../../src/paths.js';

const BIN = '/usr/bin/prometheus-alertmanager';

interface Received { path: string; authorization: string | undefined; alerts: Array<{ labels: Record<string, string> }>; at: number }
interface WebhookConfig { url: string; http_config?: { authorization?: { credentials_file?: string } } }
interface AmConfig { receivers: Array<{ name: string; webhook_configs?: WebhookConfig[] }> }

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

async function freePort(): Promise<number> {
  const s = createServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (c: Buffer) => { data += c.toString('utf8'); });
    req.on('end', () => resolve(data));
  });
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a critical alert reaches the controller webhook quickly, with the bearer token from the credentials file', async (t) => {
  assert.ok(existsSync(BIN), `${BIN} is not installed: \`sudo apt-get install prometheus-alertmanager\` (brewops up installs it)`);
  const dir = mkdtempSync(join(tmpdir(), 'brewops-am-'));
  const received: Received[] = [];
  const sink = createServer((req, res) => {
    void body(req).then((text) => {
      const payload = JSON.parse(text) as { alerts: Received['alerts'] };
      received.push({ path: req.url ?? '', authorization: req.headers.authorization, alerts: payload.alerts, at: Date.now() });
      res.writeHead(200).end();
    });
  });
  const sinkPort = await listen(sink);
  const token = randomBytes(24).toString('hex');
  const tokenFile = join(dir, 'controller-webhook-token');
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });

  // The repository's config with only the endpoints moved: routes, timings and auth stay as committed.
  const config = parse(readFileSync(join(REPO_ROOT, 'alert-rules', 'alertmanager.yml'), 'utf8')) as AmConfig;
  for (const r of config.receivers) {
    for (const w of r.webhook_configs ?? []) {
      w.url = `http://127.0.0.1:${sinkPort}${new URL(w.url).pathname}`;
      if (w.http_config?.authorization?.credentials_file !== undefined) w.http_config.authorization.credentials_file = tokenFile;
    }
  }
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, stringify(config));

  const amPort = await freePort();
  const am = spawn(BIN, [
    `--config.file=${configFile}`, `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address=',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let amLog = '';
  am.stderr.on('data', (c: Buffer) => { amLog += c.toString('utf8'); });
  t.after(async () => {
    // Alertmanager writes its state files on shutdown: remove its directory only once it has exited.
    const exited = am.exitCode !== null || am.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((r) => am.once('exit', () => r()));
    am.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (am.exitCode === null && am.signalCode === null) am.kill('SIGKILL');
    sink.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  });
  const url = `http://127.0.0.1:${amPort}`;
  const deadline = Date.now() + 20_000;
  while (!(await fetch(`${url}/-/ready`).then((r) => r.ok, () => false))) {
    assert.ok(Date.now() < deadline && am.exitCode === null, `Alertmanager did not start:\n${amLog.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  const sentAt = Date.now();
  const post = await fetch(`${url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([
      { labels: { alertname: 'BrewopsInstanceDown', severity: 'critical', service: 'member', instance_id: 'member-9' }, annotations: { summary: 'test' } },
      { labels: { alertname: 'BrewopsZipkinDown', severity: 'warning', job: 'zipkin' }, annotations: { summary: 'test' } },
    ]),
  });
  assert.equal(post.status, 200, await post.text());

  const delivery = await until('the critical alert at the controller webhook', () => received.find((r) => r.path === '/v1/alerts'), 15_000);
  console.log(`critical alert delivered to the controller webhook ${delivery.at - sentAt} ms after it reached Alertmanager`);
  assert.equal(delivery.authorization, `Bearer ${token}`, 'the webhook call must carry the token from the credentials file');
  assert.deepEqual(delivery.alerts.map((a) => a.labels['alertname']), ['BrewopsInstanceDown']);
  assert.ok(delivery.at - sentAt < 5_000, `too slow for the control loop: ${delivery.at - sentAt} ms`);

  // Give the warning the same chance to (wrongly) reach the controller: its route would have sent it by now.
  await new Promise((r) => setTimeout(r, 3_000));
  const atController = received.filter((r) => r.path === '/v1/alerts').flatMap((r) => r.alerts.map((a) => a.labels['alertname']));
  assert.ok(!atController.includes('BrewopsZipkinDown'), 'a warning reached the controller webhook');
});
