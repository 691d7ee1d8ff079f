import { spawn } from 'node:child_process';

export interface RunResult {
  readonly code: number | null;
  /** stdout and stderr interleaved. */
  readonly output: string;
}

/** Runs a command to completion, capturing its output; never throws for a non-zero exit. */
export function runCommand(
  command: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 300_000,
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.once('error', (err) => resolve({ code: null, output: `${command}: ${err.message}` }));
    child.once('close', (code, signal) =>
      resolve({ code: signal ? null : code, output: Buffer.concat(chunks).toString('utf8') + (signal ? `\n(${signal})` : '') }),
    );
  });
}

/** The last `n` non-empty lines of some output. */
export function lastLines(text: string, n: number): string[] {
  return text.split('\n').filter((l) => l.trim() !== '').slice(-n);
}

/** Runs tasks one at a time (apt holds a lock; Maven writes one ~/.m2). */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
