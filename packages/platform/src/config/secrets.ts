import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './errors.js';
import type { PlatformConfig } from './schema.js';

export interface SecretSources {
  readonly env?: NodeJS.ProcessEnv;
  /** Directory of secret files. Env `BREWOPS_SECRETS_DIR`. @default `<stateDir>/secrets` */
  readonly dir: string;
}

/**
 * The value of the secret named `name` in the config: from the env variable or the file it
 * references (trailing newline trimmed). The config itself only ever holds the reference.
 */
export function resolveSecret(config: PlatformConfig, name: string, sources: SecretSources): string {
  const ref = config.secrets[name];
  if (!ref) throw new ConfigError('secret_missing', `no secret "${name}" in the config (secrets.${name})`);
  if ('env' in ref) {
    const v = (sources.env ?? process.env)[ref.env];
    if (v === undefined || v === '') throw new ConfigError('secret_missing', `secret "${name}": env ${ref.env} is not set`);
    return v;
  }
  try {
    return readFileSync(join(sources.dir, ref.file), 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new ConfigError('secret_missing', `secret "${name}": cannot read ${ref.file} in ${sources.dir}`, [], { cause: err });
  }
}
