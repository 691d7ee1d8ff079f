import { describe, isBrewopsError } from '../errors.js';
import { formatTail } from '../logtail.js';
import { displayPath, logFile, type Paths } from '../paths.js';

/** Failure codes after which the component's own log explains more. */
const LOG_WORTHY = new Set(['exited', 'not_ready', 'start_failed']);

/**
 * `✗ <name>: <cause>` + `fix: <what to do>` + the last 20 lines of its log, on stderr.
 */
export function reportFailure(paths: Paths, name: string, err: unknown, stream: NodeJS.WritableStream = process.stderr): void {
  const message = describe(err);
  const fix = isBrewopsError(err) ? err.fix : undefined;
  let text = `✗ ${name}: ${message}\n`;
  if (fix) text += `  fix: ${fix}\n`;
  if (!isBrewopsError(err) || LOG_WORTHY.has(err.code)) {
    const file = logFile(paths, name);
    text += formatTail(file, displayPath(paths, file));
  }
  stream.write(text);
}
