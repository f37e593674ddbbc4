import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { load as loadYaml } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { packageBuildOptions } from '../../scripts/bench/package.js';

/**
 * What the token authorizer's bundle is made of: built as serverless-esbuild builds it (the
 * options of serverless.yml, its `exclude` as externals), with esbuild's metafile listing every
 * module that reached the output. It sits in front of every route, so the password machinery must
 * stay out (lib/compose.ts builds it apart; package.json `"sideEffects": false` lets esbuild drop
 * what it does not reach).
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const { exclude } = (loadYaml(readFileSync(`${ROOT}serverless.yml`, 'utf8')) as { custom: { esbuild: { exclude: string[] } } }).custom.esbuild;

const bundledModules = async (entry: string): Promise<string[]> => {
  const { metafile } = await build({ ...packageBuildOptions(), external: exclude, entryPoints: [`${ROOT}${entry}`], write: false, metafile: true, logLevel: 'silent', outfile: 'out.cjs' });
  return Object.values(metafile.outputs).flatMap((output) => Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([path]) => path));
};

/** Modules of the change function's password work, by library and by this project's own files. */
const PASSWORD_MACHINERY = /node_modules\/(bcryptjs|@zxcvbn-ts|hibp|valibot)\/|lib\/core\/policy\/|lib\/adapters\/(bcrypt|hibp)\/|lib\/http\/request-schema|lib\/core\/change-password/;

describe('the token authorizer bundle', () => {
  it('carries jose, the DynamoDB client and its own code, and none of the password machinery', async () => {
    const modules = await bundledModules('functions/token-authorizer/handler.ts');
    expect(modules.some((m) => m.includes('node_modules/jose/'))).toBe(true);
    expect(modules.some((m) => m.includes('lib/adapters/dynamodb/session-store.ts'))).toBe(true);
    expect(modules.filter((m) => PASSWORD_MACHINERY.test(m))).toEqual([]);
  });

  it('is told apart from the change function, which does carry it', async () => {
    const modules = await bundledModules('functions/change-password/handler.ts');
    expect(modules.filter((m) => PASSWORD_MACHINERY.test(m)).length).toBeGreaterThan(5);
  });

  it('leaves the sample route GET /v1/session with neither jose nor the SDK', async () => {
    const modules = await bundledModules('functions/session/handler.ts');
    expect(modules.filter((m) => /node_modules\/(jose|@aws-sdk)\//.test(m) || PASSWORD_MACHINERY.test(m))).toEqual([]);
  });
});
