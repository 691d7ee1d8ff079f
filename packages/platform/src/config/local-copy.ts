import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The last config an instance applied from etcd, kept to boot from when etcd is unreachable. */
export interface LocalCopy {
  readonly revision: number;
  readonly savedAt: string;
  readonly config: unknown;
}

export const localCopyFile = (stateDir: string, service: string): string => join(stateDir, `config-${service}.last-good.json`);

/** Writes atomically (temp file + rename). */
export async function saveLocalCopy(file: string, copy: LocalCopy): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(copy)}\n`);
  await rename(tmp, file);
}

/** The saved copy, or null when there is none or it is unreadable. */
export async function loadLocalCopy(file: string): Promise<LocalCopy | null> {
  try {
    const v = JSON.parse(await readFile(file, 'utf8')) as Partial<LocalCopy>;
    if (typeof v.revision !== 'number' || typeof v.config !== 'object' || v.config === null) return null;
    return { revision: v.revision, savedAt: String(v.savedAt ?? ''), config: v.config };
  } catch {
    return null;
  }
}
