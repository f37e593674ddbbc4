import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LAYOUT, parseTableLayout } from '../../lib/adapters/dynamodb/table-layout.js';
import { VARIABLES } from '../../lib/config/variables.js';
import { POLICY_RULE_IDS } from '../../lib/core/policy/password-rule.js';
import { PASSWORD_CHANGED_EVENT, passwordChangedDetail } from '../../lib/core/password-changed-event.js';
import { CLOCK_TOLERANCE_SECONDS } from '../../lib/core/ports.js';
import { FIELD_ERROR_REASONS } from '../../lib/http/request-schema.js';
import { CHANGE_PASSWORD_ROUTE, PASSWORD_POLICY_ROUTE, SESSION_ROUTE } from '../../lib/http/routes.js';

/**
 * One source per fact: each is defined once in code, and where a copy must stand elsewhere (YAML,
 * JSON events, docs, a script that runs without imports) it is held equal here to that definition.
 */
const ROOT = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');

/** Every file of the project a person or a tool reads, by path (not node_modules or build output). */
const projectFiles = (): string[] => {
  const walk = (dir: string): string[] =>
    readdirSync(new URL(dir, ROOT), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  const top = ['README.md', 'package.json', 'serverless.yml', 'stryker.config.mjs', 'vitest.config.ts'];
  return [...top, ...['.ci', 'client', 'docs', 'events', 'functions', 'infra', 'lib', 'scripts', 'tests'].flatMap(walk)];
};

describe('the routes (lib/http/routes.ts)', () => {
  const change = CHANGE_PASSWORD_ROUTE;

  it('are the only API paths anywhere in the project, each with its own methods', () => {
    // A route of the platform that docs/authorizer.md shows the authorizer in front of: not ours.
    const examples = new Set(['/v1/orders']);
    const allowed = new Set([`${change.method} ${change.path}`, `OPTIONS ${change.path}`, `${SESSION_ROUTE.method} ${SESSION_ROUTE.path}`, `${PASSWORD_POLICY_ROUTE.method} ${PASSWORD_POLICY_ROUTE.path}`]);
    const paths = new Set<string>([change.path, SESSION_ROUTE.path, PASSWORD_POLICY_ROUTE.path]);
    const found: string[] = [];
    for (const file of projectFiles()) {
      for (const [, method, path] of read(file).matchAll(/(?:\b([A-Z]{3,7}) )?(\/v1\/[\w/{}-]*)/g)) {
        if (examples.has(path ?? '')) continue;
        if (!paths.has(path ?? '')) found.push(`${file}: ${path}`);
        // The one event that reaches the function with another method, to show its 405.
        else if (method !== undefined && !allowed.has(`${method} ${path}`) && file !== join('events', 'method-not-allowed.json')) found.push(`${file}: ${method} ${path}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('are the routes serverless.yml gives the functions (the change, its CORS preflight, the session, the password policy)', () => {
    type Events = { httpApi: { method: string; path: string } }[];
    const { functions } = loadYaml(read('serverless.yml')) as { functions: Record<string, { events?: Events }> };
    const routes = (name: string) => (functions[name]?.events ?? []).map(({ httpApi }) => `${httpApi.method} ${httpApi.path}`);
    expect(routes('changePassword')).toEqual([`${change.method} ${change.path}`, `OPTIONS ${change.path}`]);
    expect(routes('session')).toEqual([`${SESSION_ROUTE.method} ${SESSION_ROUTE.path}`]);
    expect(routes('passwordPolicy')).toEqual([`${PASSWORD_POLICY_ROUTE.method} ${PASSWORD_POLICY_ROUTE.path}`]);
  });

  it('is the route of every event in events/ (npm run events writes them)', () => {
    const files = readdirSync(new URL('events/', ROOT)).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const event = JSON.parse(read(`events/${file}`)) as { routeKey: string; rawPath: string; requestContext: { routeKey: string; http: { method: string; path: string } } };
      const { method, path } = event.requestContext.http;
      expect({ file, method, path, routeKeys: [event.routeKey, event.requestContext.routeKey], rawPath: event.rawPath }).toEqual({
        file,
        method: file === 'method-not-allowed.json' ? 'GET' : change.method,
        path: change.path,
        routeKeys: [`${method} ${change.path}`, `${method} ${change.path}`],
        rawPath: change.path,
      });
    }
  });
});

describe('the PasswordChanged event (lib/core/password-changed-event.ts)', () => {
  const { source, detailType } = PASSWORD_CHANGED_EVENT;
  const fields = Object.keys(passwordChangedDetail({ changeId: 'c', userId: 'u', changedAt: new Date(0).toISOString(), requestId: 'r', sourceIp: '203.0.113.7', userAgent: 'a' }));

  it('is what the notice\'s rule matches (infra/notice-function.yml)', () => {
    type Notice = { function: { events: { eventBridge: { pattern: unknown } }[] } };
    const { function: notice } = loadYaml(read('infra/notice-function.yml')) as Notice;
    expect(notice.events.map((e) => e.eventBridge.pattern)).toEqual([{ source: [source], 'detail-type': [detailType] }]);
  });

  it('is the sample the notice is invoked with locally (events/notice/password-changed.json)', () => {
    const sample = JSON.parse(read('events/notice/password-changed.json')) as { source: string; 'detail-type': string; detail: { changeId: string; userId: string; changedAt: string; requestId: string; sourceIp: string; userAgent: string } };
    expect([sample.source, sample['detail-type']]).toEqual([source, detailType]);
    expect(sample.detail).toStrictEqual(passwordChangedDetail(sample.detail));
    expect(Object.keys(sample.detail)).toEqual(fields);
  });

  it('is what the docs show a consumer: source, detail-type and the detail\'s fields', () => {
    const docs = ['docs/adoption.md', 'docs/deploy.md', 'docs/security.md'].map(read).join('\n');
    const named = (key: string) => [...docs.matchAll(new RegExp(`"?${key}"?:\\s*\\[?"?([\\w-]+)`, 'g'))].map((m) => m[1]);
    expect(named('source')).toEqual([source, source, source]);
    expect(named('detail-type')).toEqual([detailType, detailType, detailType]);
    // docs/security.md's feature table, then docs/adoption.md's JSON sample.
    expect(docs).toContain(`(source \`${source}\`, detail \`{${fields.join(', ')}}\`)`);
    const sample = /"detail": \{([^}]*)\}/.exec(docs)?.[1] ?? '';
    expect([...sample.matchAll(/"(\w+)":/g)].map((m) => m[1])).toEqual(fields);
  });
});

describe('the clock tolerance (CLOCK_TOLERANCE_SECONDS, lib/core/ports.ts)', () => {
  it('is the one docs/security.md gives the verifier and step-up', () => {
    const security = read('docs/security.md');
    const stated = [...security.matchAll(/(\d+) s of clock skew|\+ (\d+) s old|more than (\d+) s in the future/g)].map((m) => Number(m[1] ?? m[2] ?? m[3]));
    expect(stated).toHaveLength(4);
    expect(new Set(stated)).toEqual(new Set([CLOCK_TOLERANCE_SECONDS]));
  });
});

describe('the Lambda memory range (LAMBDA_MEMORY_MB, lib/config/variables.ts)', () => {
  it('is the range docs/ state (the README\'s table is rendered from the variable; the serverless plugin reads it)', () => {
    const { min, max } = VARIABLES.LAMBDA_MEMORY_MB.range;
    const docs = ['docs/deploy.md', 'docs/performance.md'].map(read).join('\n');
    const stated = [...docs.matchAll(/LAMBDA_MEMORY_MB[^\n]*?(\d+)–(\d+)/g)].map(([, from, to]) => [Number(from), Number(to)]);
    expect(stated).toEqual([[min, max], [min, max]]);
  });
});

describe('counting characters as code points (codePointLength, lib/core/policy/password-rule.ts)', () => {
  it('is written once: no other code counts a spread or Array.from of a string', () => {
    const code = projectFiles().filter((file) => /^(lib|functions|client|scripts)\//.test(file) && /\.(ts|cjs|mjs)$/.test(file));
    expect(code.length).toBeGreaterThan(50);
    const counting = code.filter((file) => /\[\.\.\.[^\]]+\]\.length|Array\.from\([^()]*\)\.length/.test(read(file)));
    expect(counting).toEqual([join('lib', 'core', 'policy', 'password-rule.ts')]);
  });
});

describe('the password policy\'s rule ids (POLICY_RULE_IDS, lib/core/policy/password-rule.ts)', () => {
  const ids = [...POLICY_RULE_IDS];
  const quoted = (text: string | undefined) => [...(text ?? '').matchAll(/`(\w+)`/g)].map((m) => m[1]);

  it('are the README\'s list under 5025, in order', () => {
    const row = read('README.md').split('\n').find((line) => line.startsWith('| 400 | 5025 |'));
    expect(quoted(row?.split('`details.failedRules`:')[1])).toEqual(ids);
  });

  it('are the ids docs/openapi.yaml lists for failedRules, and the only ones its examples use', () => {
    const openapi = read('docs/openapi.yaml');
    const listed = /Password policy rule ids, e\.g\. ([\w, ]+) \(/.exec(openapi)?.[1]?.split(', ');
    expect(listed).toEqual(ids);
    const examples = [...openapi.matchAll(/failedRules: \[([\w, ]+)\]/g)].flatMap((m) => m[1]?.split(', ') ?? []);
    expect(examples.length).toBeGreaterThan(0);
    expect(examples.filter((id) => !ids.includes(id as never))).toEqual([]);
  });

  it('are the rows of docs/security.md\'s policy table, in order', () => {
    const section = read('docs/security.md').split(/^## /m).find((s) => s.startsWith('Password policy\n')) ?? '';
    const rows = section.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows.flatMap((line) => quoted(line.split(' | ')[0]))).toEqual(ids);
  });
});

describe('the default table layout (DEFAULT_LAYOUT, lib/adapters/dynamodb/table-layout.ts)', () => {
  it('is what USERS_KEY\'s default in the table of variables describes', () => {
    expect(parseTableLayout({ USERS_KEY: VARIABLES.USERS_KEY.default, USERS_ATTRIBUTE_NAMES: undefined })).toEqual(DEFAULT_LAYOUT);
  });

  it('is the key of the tables infra/ creates (one, or a global table)', () => {
    type Table = { Properties: { KeySchema: { AttributeName: string }[]; AttributeDefinitions: { AttributeName: string }[] } };
    const key = DEFAULT_LAYOUT.key.map((k) => k.attribute);
    for (const [file, name] of [['infra/users-table.yml', 'UsersTable'], ['infra/users-global-table.yml', 'UsersGlobalTable']] as const) {
      const table = (loadYaml(read(file)) as { Resources: Record<string, Table> }).Resources[name];
      expect([file, table?.Properties.KeySchema.map((k) => k.AttributeName), table?.Properties.AttributeDefinitions.map((a) => a.AttributeName)]).toEqual([file, key, key]);
    }
  });
});

describe('the reasons a field is refused for (FIELD_ERROR_REASONS, lib/http/request-schema.ts)', () => {
  it('are the ones docs/openapi.yaml\'s fieldErrors pattern and description name, in order', () => {
    const openapi = read('docs/openapi.yaml');
    expect(/\^\[A-Za-z0-9_\.\]\+:\(([\w|]+)\)\$/.exec(openapi)?.[1]?.split('|')).toEqual([...FIELD_ERROR_REASONS]);
    const described = /`field:reason`, reason one of ([^.]+)\./.exec(openapi)?.[1]?.replace(/ \([^)]*\)/g, '').split(', ');
    expect(described).toEqual([...FIELD_ERROR_REASONS]);
  });
});
