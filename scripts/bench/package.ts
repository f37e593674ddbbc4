/**
 * What the benches share about the package: `sls package --stage prod` when the zips are stale,
 * and the esbuild options serverless.yml gives serverless-esbuild, so floors are bundled alike.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { load as loadYaml } from 'js-yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Generated files live here: ignored by git and the linter (`.esbuild*`). */
const workFolder = '.esbuild-bench';
const log = (line: string) => process.stderr.write(`${line}\n`);

const newestMtime = (path: string): number => {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
};

/** `sls package --stage prod` unless `zipPath` (in .serverless/) is newer than everything it is built from. */
export const ensurePackage = (zipPath: string): void => {
  const sources = ['functions', 'lib', 'package-lock.json', 'serverless.yml', 'tsconfig.json'].map((p) => newestMtime(join(root, p)));
  if (existsSync(zipPath) && statSync(zipPath).mtimeMs > Math.max(...sources)) {
    log(`• ${relative(root, zipPath)} is up to date`);
    return;
  }
  log('• packaging: sls package --stage prod (ESBUILD_WORK_FOLDER=.esbuild-bench) …');
  // No credentials or network are needed to package (as in tests/deploy).
  const env = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', JWT_SECRET: '', ESBUILD_WORK_FOLDER: workFolder };
  execFileSync(process.execPath, ['node_modules/serverless/bin/serverless.js', 'package', '--stage', 'prod'], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'], timeout: 180_000 });
};

/** The esbuild options serverless.yml gives serverless-esbuild, so the floor is bundled like the function. */
export const packageBuildOptions = (): BuildOptions => {
  const yaml = loadYaml(readFileSync(join(root, 'serverless.yml'), 'utf8')) as { custom: { esbuild: Record<string, unknown> } };
  const { bundle, minify, sourcemap, target, platform, format, mainFields } = yaml.custom.esbuild;
  return { bundle, minify, sourcemap, target, platform, format, mainFields } as BuildOptions;
};
