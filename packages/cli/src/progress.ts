/** Progress lines on stderr, one per step: `[opensearch] ready in 15.8 s`. */
export interface Progress {
  step(component: string, message: string): void;
  warn(message: string): void;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function stderrProgress(stream: NodeJS.WritableStream = process.stderr): Progress {
  return {
    step: (component, message) => stream.write(`[${component}] ${message}\n`),
    warn: (message) => stream.write(`! ${message}\n`),
  };
}

/** For library callers (tests) that want no output. */
export const silentProgress: Progress = { step: () => undefined, warn: () => undefined };
