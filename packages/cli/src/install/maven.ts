import { existsSync } from 'node:fs';
import { BrewopsError } from '../errors.js';
import { ensureDir } from '../paths.js';
import { lastLines, runCommand, Serial } from './run.js';

const maven = new Serial();

function fail(what: string, code: number | null, output: string, command: string): BrewopsError {
  return new BrewopsError('install_failed', `${what} failed (exit ${code ?? 'timeout'}): ${lastLines(output, 4).join(' | ')}`,
    `check access to Maven Central (or ~/.m2/settings.xml), then run by hand: ${command}`);
}

/**
 * Copies one artifact (e.g. `io.zipkin:zipkin-server:3.4.2:jar:exec`) into `outDir` with
 * `mvn dependency:copy`; the download is cached in ~/.m2. Returns the jar's path.
 */
export function mavenCopyArtifact(artifact: string, outDir: string, jarName: string): Promise<string> {
  return maven.run(async () => {
    const jar = `${outDir}/${jarName}`;
    if (existsSync(jar)) return jar;
    ensureDir(outDir);
    const args = ['-q', '-B', 'dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${outDir}`];
    const r = await runCommand('mvn', args);
    if (r.code !== 0 || !existsSync(jar)) throw fail(`mvn dependency:copy ${artifact}`, r.code, r.output, `mvn ${args.join(' ')}`);
    return jar;
  });
}

/** Resolves a pom's dependencies into `outDir` (`mvn dependency:copy-dependencies`). */
export function mavenCopyDependencies(pom: string, outDir: string, expectJar: string): Promise<void> {
  return maven.run(async () => {
    if (existsSync(`${outDir}/${expectJar}`)) return;
    ensureDir(outDir);
    const args = ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${outDir}`];
    const r = await runCommand('mvn', args);
    if (r.code !== 0 || !existsSync(`${outDir}/${expectJar}`)) {
      throw fail(`mvn dependency:copy-dependencies (${pom})`, r.code, r.output, `mvn ${args.join(' ')}`);
    }
  });
}
