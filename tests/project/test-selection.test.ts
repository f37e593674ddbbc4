import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createVitest, parseCLI } from 'vitest/node';
import { DYNAMODB_STARTERS, readsStreams, startsDynamoDb, testFiles } from '../support/dynamodb-files.js';

/**
 * Which files each run selects, asked of vitest itself: `npm run test:dynamodb-local` runs every
 * file of the dynalite run (`npm test`) that starts a DynamoDB API server, wherever it lives; and
 * tests/core holds pure tests only.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

/** The vitest command of an npm script as the shell runs it: the variables it sets, and vitest's own arguments. */
const vitestCommand = (script: string): { env: Record<string, string>; argv: string } => {
  const command = (scripts[script] ?? '').split('&&').map((part) => part.trim()).find((part) => /(^|\s)vitest\s/.test(`${part} `));
  if (command === undefined) throw new Error(`npm script ${script} runs no vitest`);
  const words = command.split(/\s+/);
  const at = words.indexOf('vitest');
  return { env: Object.fromEntries(words.slice(0, at).map((word) => word.split('=') as [string, string])), argv: words.slice(at).join(' ') };
};

/** The test files (repository paths, once per project that runs one) that an npm script's vitest run selects. */
const filesOf = async (script: string): Promise<string[]> => {
  const { env, argv } = vitestCommand(script);
  // vitest.config.ts reads the run's variables as it loads: only the script's own count.
  vi.stubEnv('TEST_DYNAMODB', undefined);
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const { filter, options } = parseCLI(argv);
  const vitest = await createVitest('test', { ...options, root: ROOT, watch: false }, {});
  try {
    return (await vitest.globTestSpecifications(filter)).map((spec) => relative(ROOT, spec.moduleId)).sort();
  } finally {
    await vitest.close();
    vi.unstubAllEnvs();
  }
};

afterEach(() => {
  vi.unstubAllEnvs();
});

const tsFiles = (dir: string): string[] => readdirSync(join(ROOT, dir)).filter((file) => file.endsWith('.ts')).map((file) => `${dir}/${file}`);

describe('npm run test:dynamodb-local', () => {
  it('runs every file of the dynalite run that starts a DynamoDB API server, those that read a stream, and no other', async () => {
    // `npm test` runs the `vitest` script beside the type check and the lint.
    expect(scripts.test).toMatch(/\bvitest\b/);
    const dynalite = await filesOf('vitest');
    const dynamoDbLocal = await filesOf('test:dynamodb-local');
    const starting = dynalite.filter((file) => startsDynamoDb(read(file)));
    const streams = testFiles(ROOT).filter((file) => readsStreams(read(file)));
    expect(starting.length).toBeGreaterThan(0);
    expect(dynamoDbLocal.length).toBeGreaterThanOrEqual(starting.length);
    expect(dynamoDbLocal).toEqual([...starting, ...streams].sort());
  });

  it('leaves out of npm test only the files that read a DynamoDB stream, which dynalite has not, and they start a DynamoDB', async () => {
    const dynalite = new Set(await filesOf('vitest'));
    const streams = testFiles(ROOT).filter((file) => readsStreams(read(file)));
    expect(streams.length).toBeGreaterThan(0);
    expect(streams.filter((file) => dynalite.has(file))).toEqual([]);
    expect(streams.filter((file) => !startsDynamoDb(read(file)))).toEqual([]);
    expect(testFiles(ROOT).filter((file) => !dynalite.has(file) && !streams.includes(file))).toEqual([]);
  });

  it('knows the starters by the names their modules export', () => {
    for (const [module, names] of Object.entries(DYNAMODB_STARTERS)) {
      for (const name of names) expect(read(module), `${module} exports ${name}`).toMatch(new RegExp(`^export (const|async function|function) ${name}\\b`, 'm'));
    }
  });

  it('finds no other helper in tests/support that starts a DynamoDB API server (its callers would be missed)', () => {
    expect(tsFiles('tests/support').filter((file) => !(file in DYNAMODB_STARTERS) && startsDynamoDb(read(file)))).toEqual([]);
  });
});

/** What a test file imports that starts or speaks to a DynamoDB API server: the harness, the local DynamoDB helpers, dynalite or the SDK. */
const DYNAMODB_IMPORT = /^(?:tests\/support\/harness\.ts|scripts\/local\/dynamodb(?:-local)?\.ts|dynalite|@aws-sdk\/(?:client-dynamodb|lib-dynamodb))$/;

/** Why a file under tests/core is not a pure test; empty when it is. */
const impurities = (file: string, source: string): string[] => {
  const specifiers = [...source.matchAll(/\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2] ?? '');
  const targets = specifiers.map((s) => (s.startsWith('.') ? normalize(join(dirname(file), s)).replace(/\.js$/, '.ts') : s));
  return [
    ...targets.filter((target) => DYNAMODB_IMPORT.test(target)).map((target) => `${file} imports ${target}`),
    ...(startsDynamoDb(source) ? [`${file} starts a DynamoDB API server`] : []),
  ];
};

describe('tests/core', () => {
  it('holds pure tests only: none imports the harness or a DynamoDB API server', () => {
    const files = testFiles(ROOT).filter((file) => file.startsWith('tests/core/'));
    expect(files.length).toBeGreaterThan(0);
    expect(files.flatMap((file) => impurities(file, read(file)))).toEqual([]);
  });

  it.each([
    ['tests/core/x.test.ts', "import { useHarness } from '../support/harness.js';", /imports tests\/support\/harness\.ts/],
    ['tests/core/policy/x.test.ts', "import { apiEvent } from '../../support/harness.js';", /imports tests\/support\/harness\.ts/],
    ['tests/core/x.test.ts', "import { startEmbeddedDynamo } from '../../scripts/local/dynamodb.js';", /imports scripts\/local\/dynamodb\.ts/],
    ['tests/core/x.test.ts', "const { default: dynalite } = await import('dynalite');", /imports dynalite/],
    ['tests/core/x.test.ts', "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';", /imports @aws-sdk\/client-dynamodb/],
    // Named through the table, so that this file does not call a starter itself.
    ['tests/core/x.test.ts', `const h = await ${DYNAMODB_STARTERS['tests/support/harness.ts'][0]}();`, /starts a DynamoDB API server/],
  ])('fails for %s with %s', (file, source, reason) => {
    expect(impurities(file, source).join('\n')).toMatch(reason);
  });
});
