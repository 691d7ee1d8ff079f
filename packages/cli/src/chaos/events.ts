import { appendFileSync } from 'node:fs';

/**
 * Chaos events for `brewops load --events FILE.jsonl` (packages/cli/src/load/events.ts): one JSON
 * object a line, `{"label","kind":"start"|"end"|"point","target","at"}`, appended as they happen,
 * so a load run drawing its timeline marks them.
 */
export class EventsFile {
  constructor(private readonly file: string | null) {}

  mark(label: string, kind: 'start' | 'end' | 'point', target: string, at: number): void {
    if (this.file === null) return;
    try {
      appendFileSync(this.file, `${JSON.stringify({ label, kind, target, at: new Date(at).toISOString() })}\n`);
    } catch (err) {
      process.stderr.write(`brewops: chaos: cannot append to ${this.file} (${(err as Error).message})\n`);
    }
  }
}
