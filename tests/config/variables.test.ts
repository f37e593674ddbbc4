import { readFileSync } from 'node:fs';
import { load as loadYaml } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { functionVariables, VARIABLES, type FunctionName, type Variable } from '../../lib/config/variables.js';
import { configTable } from '../../scripts/data/config-table.js';

/**
 * lib/config/variables.ts is the one table of environment variables: the README's configuration
 * table, each function's environment in serverless.yml and its defaults, and the parser all follow
 * it (tests/config/functions.test.ts: each function takes its environment from it;
 * tests/config/function-environment.test.ts: each reads exactly the variables it names).
 */
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const table: Record<string, Variable> = VARIABLES;
const serverlessYml = read('serverless.yml');

describe('the table of environment variables', () => {
  it('is the README\'s configuration table, row for row (npm run docs:config writes it)', () => {
    expect(read('README.md')).toContain(configTable());
  });

  it('gives a value in serverless.yml custom.environment to exactly the variables some function reads', () => {
    // js-yaml reads ${…} variables as plain strings; only the keys matter here.
    const { custom } = loadYaml(serverlessYml) as { custom: { environment: Record<string, unknown> } };
    const functionVariables = Object.entries(table).filter(([, v]) => v.scope === 'function').map(([name]) => name);
    expect(Object.keys(custom.environment).sort()).toEqual(functionVariables.sort());
  });

  it('gives no function a variable it does not name: the authorizer no password or Pwned Passwords setting, the session route nothing', () => {
    const names = (fn: FunctionName) => functionVariables(fn).join(' ');
    expect(names('tokenAuthorizer')).not.toMatch(/PASSWORD|HIBP|BCRYPT|LOCKOUT|MFA|NOTICE/);
    expect(functionVariables('session')).toEqual([]);
    expect(names('passwordChangedNotice')).not.toMatch(/JWT|PASSWORD|HIBP/);
  });

  it('gives serverless.yml\'s defaults for every variable it reads', () => {
    const read = [...`${serverlessYml}${readFileSync(new URL('../../infra/notice-function.yml', import.meta.url), 'utf8')}`.matchAll(/\benv:([A-Z][A-Z0-9_]+), '?([^'}]*)'?\}/g)].map(([, name, fallback]) => [name ?? '', fallback ?? ''] as const);
    expect(read.length).toBeGreaterThan(30);
    for (const [name, fallback] of read) {
      expect(table[name], `${name} is read by serverless.yml but not in the table`).toBeDefined();
      const standard = table[name]?.default;
      // An empty fallback passes "unset" on to the function, which applies the table's default itself.
      if (fallback !== '' && standard !== undefined) expect(fallback, name).toBe(String(standard));
    }
    expect(serverlessYml).toContain(`POWERTOOLS_SERVICE_NAME: ${String(VARIABLES.POWERTOOLS_SERVICE_NAME.default)}`);
    expect(serverlessYml).toContain(`POWERTOOLS_METRICS_NAMESPACE: ${String(VARIABLES.POWERTOOLS_METRICS_NAMESPACE.default)}`);
  });

  it('is what the tools fall back on: no tool writes a default of its own', () => {
    for (const tool of ['scripts/local/start.ts', 'scripts/cli/user-create.ts', 'scripts/cli/token.ts']) {
      expect(read(tool), tool).not.toMatch(/env\.[A-Z_]+\s*\?\?\s*['"\d]/);
    }
  });

  it('has a default in range for every whole-number variable, or says that unset turns it off', () => {
    for (const [name, variable] of Object.entries(table)) {
      if (variable.range === undefined) continue;
      if (variable.default === undefined) {
        expect(variable.defaultText, name).toContain('(off)');
        continue;
      }
      expect(typeof variable.default, name).toBe('number');
      expect(variable.default as number, name).toBeGreaterThanOrEqual(variable.range.min);
      expect(variable.default as number, name).toBeLessThanOrEqual(variable.range.max);
    }
  });
});
