import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { BrewopsError, describe } from '../errors.js';
import { resolvePaths } from '../paths.js';
import { readPorts } from '../ports.js';
import { loadState } from '../state.js';
import { resolveLoadConfig, scenarioSettings, type LoadCommand, type LoadConfig } from '../load/config.js';
import { progressLine, summaryText } from '../load/console.js';
import { renderReport } from '../load/report-html.js';
import { startLoad } from '../load/runner.js';
import { loadScenarioScript } from '../load/script.js';
import { DEV_API_KEY } from '../secrets.js';

/** `20250101-103000` (local time), for the default output directory. */
function stamp(d = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function readApiKey(file: string | null, explicit: boolean): string | null {
  if (file === null) return null;
  if (!existsSync(file)) {
    if (explicit) throw new BrewopsError('usage', `load: --api-key-file ${file}: no such file`, undefined, 2);
    return null;
  }
  const key = readFileSync(file, 'utf8').trim();
  return key === '' ? null : key;
}

/** Fails fast (exit 1) when nothing answers at the target, instead of a run of connection errors. */
async function checkTarget(cfg: LoadConfig): Promise<void> {
  try {
    const res = await fetch(`${cfg.target}/api/order/v1/menu`, { signal: AbortSignal.timeout(5_000) });
    await res.arrayBuffer();
  } catch (err) {
    const why = (err as Error).name === 'TimeoutError' ? 'no answer within 5 s' : describe(err);
    throw new BrewopsError('not_ready', `load: nothing answers at ${cfg.target}/api/order/v1/menu: ${why}`,
      'start the stack with npm run up (check it with ./brewops status), or pass --target');
  }
}

/** `brewops load`: runs, prints progress and a summary, writes result.json and report.html; exit 1 on a breached threshold. */
export async function load(cmd: LoadCommand): Promise<number> {
  const paths = resolvePaths();
  const script = cmd.script ? loadScenarioScript(cmd.script) : null;
  const scriptSettings = script ? scenarioSettings(script.scenario, cmd.script!) : null;
  const state = loadState(paths);
  const cfg = resolveLoadConfig(cmd, scriptSettings, {
    target: state?.gatewayUrl ?? `http://127.0.0.1:${readPorts().gateway}`,
    apiKeyFile: join(paths.stateDir, 'secrets', DEV_API_KEY),
    scenario: script?.name ?? 'cli',
  });
  const apiKey = readApiKey(cfg.apiKeyFile, cmd.apiKeyFile !== null);
  const outDir = resolve(cmd.outDir ?? join(paths.stateDir, 'load', stamp()));
  await checkTarget(cfg);
  mkdirSync(outDir, { recursive: true });

  const err = process.stderr;
  const tty = err.isTTY === true;
  const model = cfg.model === 'rate' ? `${cfg.ratePerSecond}/s arrivals` : `${cfg.concurrency} users`;
  err.write(`[load] ${cfg.scenario}: ${model} for ${cfg.durationMs / 1000} s (at most ${cfg.maxRequests} requests) against ${cfg.target}`
    + `${apiKey ? '' : ' (no API key: protected routes will answer 401)'}\n`);
  const interrupt = new AbortController();
  const onSigint = (): void => interrupt.abort();
  process.once('SIGINT', onSigint);
  const run = startLoad({
    config: cfg,
    apiKey,
    signal: interrupt.signal,
    // a terminal redraws one line in place; anything else (CI logs, pipes) gets a plain line a second
    onSecond: (f) => err.write(tty ? `\r\x1b[K${progressLine(f)}` : `${progressLine(f)}\n`),
  });
  let result;
  try {
    result = await run.done;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  if (tty) err.write('\n');
  for (const line of run.rejectedEvents()) err.write(`! ${cfg.eventsFile}: skipped a line: ${line}\n`);
  const resultFile = join(outDir, 'result.json');
  const reportFile = join(outDir, 'report.html');
  writeFileSync(resultFile, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(reportFile, renderReport(result));
  const shown = (p: string): string => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p));
  process.stdout.write(summaryText(result, { result: shown(resultFile), report: shown(reportFile) }));
  return result.passed ? 0 : 1;
}
