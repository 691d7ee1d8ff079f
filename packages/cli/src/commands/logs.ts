import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../cli-args.js';
import { usageError } from '../errors.js';
import { tailLines } from '../logtail.js';
import { resolvePaths } from '../paths.js';
import { sleep } from '../probe.js';

type LogsCommand = Extract<Command, { command: 'logs' }>;

function available(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.log')).map((f) => f.slice(0, -4)).sort() : [];
}

/** Streams what is appended to `file` until SIGINT; starts at `from`, restarts at 0 if truncated. */
async function follow(file: string, from: number, out: NodeJS.WritableStream): Promise<void> {
  let pos = from;
  let stop = false;
  process.once('SIGINT', () => (stop = true));
  while (!stop) {
    const size = existsSync(file) ? statSync(file).size : 0;
    if (size < pos) pos = 0;
    if (size > pos) {
      const fd = openSync(file, 'r');
      const buf = Buffer.alloc(size - pos);
      readSync(fd, buf, 0, buf.length, pos);
      closeSync(fd);
      out.write(buf);
      pos = size;
    }
    await sleep(250);
  }
}

/** `brewops logs [name] [-f] [-n N]`. */
export async function logs(cmd: LogsCommand, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { logsDir } = resolvePaths();
  const names = available(logsDir);
  if (cmd.name === null) {
    if (names.length === 0) {
      out.write(`no logs yet in ${logsDir} (run brewops up)\n`);
      return 0;
    }
    for (const n of names) {
      const st = statSync(join(logsDir, `${n}.log`));
      out.write(`${n.padEnd(16)} ${String(Math.ceil(st.size / 1024)).padStart(7)} KB  ${st.mtime.toISOString()}\n`);
    }
    return 0;
  }
  if (!names.includes(cmd.name) && cmd.name === 'rabbitmq') {
    throw usageError('logs: RabbitMQ was reused, not started by brewops: its logs are in /var/log/rabbitmq/');
  }
  if (!names.includes(cmd.name)) {
    throw usageError(`logs: no log named "${cmd.name}"${names.length ? ` (available: ${names.join(', ')})` : ' (no logs yet)'}`);
  }
  const file = join(logsDir, `${cmd.name}.log`);
  const size = statSync(file).size;
  const lines = tailLines(file, cmd.lines);
  if (lines.length > 0) out.write(`${lines.join('\n')}\n`);
  if (cmd.follow) await follow(file, size, out);
  return 0;
}
