import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { load as loadYaml } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../lib/config/variables.js';

/**
 * How a function gets its settings and permissions (docs/deploy.md, "A new function"): its
 * environment from the table of variables, its role from infra/function-roles.yml. Read from the
 * YAML alone; tests/deploy/package.test.ts reads the packaged result back.
 */
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const { provider, functions } = loadYaml(read('serverless.yml')) as { provider: Record<string, unknown>; functions: Record<string, unknown> };
/** serverless.yml's functions, a definition kept in its own file (`${file(infra/….yml):function}`) read from there. */
const deployed = Object.fromEntries(
  Object.entries(functions).map(([name, fn]) => {
    const file = typeof fn === 'string' ? /\$\{file\((infra\/[\w-]+\.yml)\):function\}/.exec(fn)?.[1] : undefined;
    return [name, (file === undefined ? fn : (loadYaml(read(file)) as { function: unknown }).function) as { environment?: unknown; role?: unknown }];
  }),
);
const ownRoles = loadYaml(read('infra/function-roles.yml')) as Record<string, unknown>;
const { roleId } = createRequire(import.meta.url)('../../infra/function-roles.cjs') as { roleId: (fn: string) => string };

describe('each function serverless.yml deploys', () => {
  it('is named in lib/config/variables.ts FUNCTIONS, and only those are deployed', () => {
    expect(Object.keys(deployed).sort()).toEqual([...FUNCTIONS].sort());
  });

  it('takes its environment from the table (infra/function-environment.cjs), none from provider.environment', () => {
    for (const [name, fn] of Object.entries(deployed)) expect(fn.environment, name).toBe(`\${file(infra/function-environment.cjs):${name}}`);
    expect(provider).not.toHaveProperty('environment');
  });

  it('runs on the role infra/function-roles.yml gives it; the change function alone on the framework\'s', () => {
    for (const [name, fn] of Object.entries(deployed)) expect(fn.role, name).toBe(name === 'changePassword' ? undefined : roleId(name));
    expect(Object.keys(ownRoles).sort()).toEqual(FUNCTIONS.filter((name) => name !== 'changePassword').sort());
  });
});
