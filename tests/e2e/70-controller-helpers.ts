// Helpers of the control-loop e2e tests (7x): the live controller (port 9600 under `brewops up`),
// switching it between dry-run and acting through `brewops config push`, and its incidents.
// Under `npm test` the stack runs with BREWOPS_ENV=test, where config/services/controller.test.yaml
// keeps the controller in dry-run; tests that want it to act push `dryRun: false` and restore the
// repository's config/ afterwards.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigStore } from '@brewops/platform';
import { gatewayFetch } from '../support/gateway-auth.js';
import { brewops, eventually, root, sleep, urls } from '../support/stack.js';
import { configCopy, push } from './20-config-helpers.js';

export const controllerUrl = process.env['BREWOPS_CONTROLLER_URL'] ?? 'http://127.0.0.1:9600';

/** `type` includes `verified` / `verification_failed` (the window after reinstatement); `from`/`to` on `state`. */
export interface TimelineEntry { at: string; sinceFailureMs: number; type: string; action?: string; result?: string; detail: string; from?: string; to?: string }
/**
 * Open until the reinstated instance passed its verification window (`rules.verifyWindowMs`):
 * `closedAt` is the end of that window; `durations.recoveryMs` the reinstatement that held.
 */
export interface Incident {
  id: string; service: string; instanceId: string; status: string; traceId: string;
  failingSince: string; openedAt: string; closedAt?: string; timeline: TimelineEntry[]; durations: Record<string, number | null>;
}
/** `state`: healthy | suspect | rerouted | restarting | recovering | verifying (reinstated, in traffic, incident still open). */
export interface InstanceSnapshot { service: string; instanceId: string; state: string; rerouted: boolean; flagged: string | null; pending: string | null; held: boolean }
export interface IncidentsBody { dryRun: boolean; instances: InstanceSnapshot[]; incidents: Incident[] }

export async function incidents(): Promise<IncidentsBody> {
  const res = await fetch(`${controllerUrl}/v1/incidents`);
  assert.equal(res.status, 200, `GET /v1/incidents answered ${res.status}`);
  return (await res.json()) as IncidentsBody;
}

/** The env the stack's config was pushed with (`test` under npm test, `dev` under npm run up). */
async function stackEnv(): Promise<string> {
  const store = new ConfigStore({ hosts: [urls.etcd()] });
  try {
    return (await store.read('controller').catch(() => null))?.document.env ?? 'test';
  } finally {
    await store.close();
  }
}

/**
 * Pushes config/ with whole files replaced (`services/member.<env>.yaml` → text; `<env>` is
 * filled in) and the controller's dryRun set (plus `controllerExtra`, YAML appended to its layer);
 * waits until the controller applied the mode.
 */
export async function pushWith(dryRun: boolean, files: Record<string, string> = {}, controllerExtra = ''): Promise<void> {
  const env = await stackEnv();
  // the repository's file for this env, with only its dryRun line changed
  const own = `services/controller.${env}.yaml`;
  let text = '';
  try {
    text = readFileSync(join(root, 'config', own), 'utf8');
  } catch {
    // no such layer: dryRun alone
  }
  text = /^dryRun:.*$/m.test(text) ? text.replace(/^dryRun:.*$/m, `dryRun: ${dryRun}`) : `${text}\ndryRun: ${dryRun}\n`;
  const edits: Record<string, string> = { [own]: `${text}\n${controllerExtra}\n` };
  for (const [file, text] of Object.entries(files)) edits[file.replace('<env>', env)] = text;
  const dir = configCopy(edits, true);
  try {
    const r = push(dir, env);
    assert.equal(r.code, 0, r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await eventually(`the controller in ${dryRun ? 'dry-run' : 'acting'} mode`, async () =>
    ((await incidents().catch(() => undefined))?.dryRun === dryRun ? true : undefined), 15_000, 50);
}

/** The controller acting (dryRun: false) until `restoreConfig`. */
export const setControllerDryRun = (dryRun: boolean): Promise<void> => pushWith(dryRun);

/** Pushes the repository's config/ again (the controller back to what config/ says). */
export async function restoreConfig(): Promise<void> {
  const env = await stackEnv();
  const r = brewops('config', 'push', '--env', env);
  assert.equal(r.code, 0, r.stderr);
}

export interface LoadResult { total: number; failed: number; codes: Record<string, number> }

/** GET member lookups through the gateway at a fixed rate until stopped; counts what a client sees. */
export function load(ratePerSec: number): { stop: () => Promise<LoadResult> } {
  let running = true;
  const seen: LoadResult = { total: 0, failed: 0, codes: {} };
  const inflight = new Set<Promise<void>>();
  const loop = (async () => {
    let next = performance.now();
    while (running) {
      next += 1000 / ratePerSec;
      const p = (async () => {
        seen.total++;
        const res = await gatewayFetch(`${urls.gateway()}/api/member/v1/members/m-100`, { signal: AbortSignal.timeout(5000) }).catch((e: Error) => e);
        const code = res instanceof Error ? res.name : String(res.status);
        if (!(res instanceof Error)) await res.arrayBuffer().catch(() => undefined);
        if (code !== '200') {
          seen.failed++;
          seen.codes[code] = (seen.codes[code] ?? 0) + 1;
        }
      })();
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
      await sleep(Math.max(0, next - performance.now()));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      await Promise.all(inflight);
      return seen;
    },
  };
}
