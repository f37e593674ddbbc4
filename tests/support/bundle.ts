import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { load as loadYaml } from 'js-yaml';
import { packageBuildOptions } from '../../scripts/bench/package.js';

/**
 * What a function's bundle is made of: built as serverless-esbuild builds it (the options of
 * serverless.yml, its `exclude` as externals), with esbuild's metafile listing every module that
 * reached the output. package.json `"sideEffects": false` lets esbuild drop what it does not reach.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const { exclude } = (loadYaml(readFileSync(`${ROOT}serverless.yml`, 'utf8')) as { custom: { esbuild: { exclude: string[] } } }).custom.esbuild;

/** The modules with bytes in the bundle of `entry` (a path from the repository root). */
export const bundledModules = async (entry: string): Promise<string[]> => {
  const { metafile } = await build({ ...packageBuildOptions(), external: exclude, entryPoints: [`${ROOT}${entry}`], write: false, metafile: true, logLevel: 'silent', outfile: 'out.cjs' });
  return Object.values(metafile.outputs).flatMap((output) => Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([path]) => path));
};

/** Modules of the change function's password work, by library and by this project's own files. */
export const PASSWORD_MACHINERY = /node_modules\/(bcryptjs|@zxcvbn-ts|hibp|valibot)\/|lib\/core\/policy\/|lib\/adapters\/(bcrypt|hibp)\/|lib\/http\/request-schema|lib\/core\/change-password/;
