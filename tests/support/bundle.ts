import { readdirSync, readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { load as loadYaml } from 'js-yaml';
import { packageBuildOptions } from '../../scripts/bench/package.js';

/**
 * What a function's bundle is made of: built as serverless-esbuild builds it (the options of
 * serverless.yml, its `exclude` as externals), with esbuild's metafile listing every module that
 * reached the output. package.json `"sideEffects": false` lets esbuild drop what it does not reach.
 * Every handler under functions/ is built in one esbuild run, once per test process: the modules
 * they share are parsed once, and each output still holds only what its own entry reaches.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const { exclude } = (loadYaml(readFileSync(`${ROOT}serverless.yml`, 'utf8')) as { custom: { esbuild: { exclude: string[] } } }).custom.esbuild;

const buildAll = async (): Promise<Map<string, string[]>> => {
  const entryPoints = readdirSync(`${ROOT}functions`).map((name) => `functions/${name}/handler.ts`);
  const { metafile } = await build({ ...packageBuildOptions(), external: exclude, absWorkingDir: ROOT, entryPoints, write: false, metafile: true, logLevel: 'silent', outdir: 'out' });
  return new Map(
    Object.values(metafile.outputs).flatMap((output) =>
      output.entryPoint === undefined ? [] : [[output.entryPoint, Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([path]) => path)]],
    ),
  );
};
let built: Promise<Map<string, string[]>> | undefined;

/** The modules with bytes in the bundle of `entry` (a handler's path from the repository root). */
export const bundledModules = async (entry: string): Promise<string[]> => {
  const modules = (await (built ??= buildAll())).get(entry);
  if (modules === undefined) throw new Error(`${entry} is not a handler under functions/`);
  return modules;
};

/** Modules of the change function's password work, by library and by this project's own files. */
export const PASSWORD_MACHINERY = /node_modules\/(bcryptjs|@zxcvbn-ts|hibp|valibot)\/|lib\/core\/policy\/|lib\/adapters\/(bcrypt|hibp)\/|lib\/http\/request-schema|lib\/core\/change-password/;
