import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

/** The last `n` lines of a file, reading backwards in blocks (logs can be large). */
export function tailLines(file: string, n: number): string[] {
  if (n <= 0 || !existsSync(file)) return [];
  const fd = openSync(file, 'r');
  try {
    const size = statSync(file).size;
    const block = 64 * 1024;
    let pos = size;
    let text = '';
    while (pos > 0 && text.split('\n').length <= n + 1) {
      const len = Math.min(block, pos);
      pos -= len;
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, pos);
      text = buf.toString('utf8') + text;
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines.slice(-n);
  } finally {
    closeSync(fd);
  }
}

/** "last 20 lines of <file>:" block, indented, for failure reports; '' when the file is empty. */
export function formatTail(file: string, shown: string, n = 20): string {
  const lines = tailLines(file, n);
  if (lines.length === 0) return '';
  return `  last ${lines.length} lines of ${shown}:\n${lines.map((l) => `    ${l}`).join('\n')}\n`;
}
