import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The house rules of lib/ and functions/, by folder, for every file present and future: the folder
 * says the layer, and the layer says what the file may import (docs/architecture.md). Import
 * cycles: `import/no-cycle` in `npm run lint`.
 */
type Layer = 'core' | 'adapter' | 'http' | 'events' | 'config' | 'compose' | 'entry';

/** The layer of a file under lib/ or functions/, or undefined for a file in no layer's folder. */
export const layerOf = (file: string): Layer | undefined => {
  if (file.startsWith('lib/core/')) return 'core';
  if (/^lib\/adapters\/[^/]+\//.test(file)) return 'adapter';
  if (file.startsWith('lib/http/')) return 'http';
  // The edge for EventBridge events, kept to the same discipline as the HTTP edge.
  if (file.startsWith('lib/events/')) return 'events';
  if (file.startsWith('lib/config/')) return 'config';
  if (file === 'lib/compose.ts') return 'compose';
  if (/^functions\/[^/]+\/handler\.ts$/.test(file)) return 'entry';
  return undefined;
};

/** Packages the core may use: pure code, no I/O, no AWS, no HTTP, no crypto library of its own. */
const PURE_PACKAGES = new Set(['node:crypto', '@zxcvbn-ts/core']);

/** Every import and re-export specifier of a source text (static and dynamic). */
export const specifiersOf = (source: string): string[] => [
  ...[...source.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gms)].map((m) => m[1] ?? ''),
  ...[...source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? ''),
];

/** A relative specifier as a repository path (`.js` written for `.ts`), or the package name. */
const resolve = (file: string, specifier: string): string =>
  specifier.startsWith('.') ? normalize(join(dirname(file), specifier)).replace(/\.js$/, '.ts') : specifier;

/** What breaks the rules in one file, given its path and text; empty when it keeps them. */
export const violations = (file: string, source: string): string[] => {
  const layer = layerOf(file);
  if (layer === undefined) return [`${file}: not in a layer's folder (lib/core, lib/adapters/<technology>, lib/http, lib/events, lib/config, lib/compose.ts, functions/<name>/handler.ts)`];
  const found: string[] = [];
  const targets = specifiersOf(source).map((specifier) => ({ specifier, target: resolve(file, specifier) }));
  const local = targets.filter(({ specifier }) => specifier.startsWith('.'));
  const packages = targets.filter(({ specifier }) => !specifier.startsWith('.'));
  const layersImported = new Set(local.map(({ target }) => layerOf(target)));
  for (const { specifier, target } of local) {
    const other = layerOf(target);
    const allowed: Record<Layer, (Layer | undefined)[]> = {
      core: ['core'],
      adapter: ['core', 'adapter'],
      http: ['core', 'http'],
      events: ['core', 'events'],
      config: ['core', 'adapter', 'http', 'events', 'config'],
      compose: ['core', 'adapter', 'http', 'events', 'config'],
      entry: ['compose'],
    };
    if (!allowed[layer].includes(other)) found.push(`${file}: the ${layer} layer may not import ${specifier} (${other ?? 'outside lib/'})`);
    // An adapter speaks one technology: it may import the core and its own folder only.
    if (layer === 'adapter' && other === 'adapter' && target.split('/')[2] !== file.split('/')[2]) found.push(`${file}: imports another adapter, ${specifier}`);
  }
  if (layer === 'core') {
    for (const { specifier } of packages) if (!PURE_PACKAGES.has(specifier)) found.push(`${file}: the core imports the package ${specifier}`);
  }
  if (layer !== 'compose' && layer !== 'config' && layersImported.has('config') && layersImported.has('adapter')) {
    found.push(`${file}: imports the configuration and adapters together, which only lib/compose.ts does`);
  }
  if (layer !== 'config' && /\bprocess\.env\b/.test(source)) found.push(`${file}: reads process.env, which only lib/config/ does`);
  if (/^let\s/m.test(source)) found.push(`${file}: has a module-level let (state belongs in the objects lib/compose.ts builds)`);
  if (/\.before\??\.?\(/.test(source)) found.push(`${file}: calls a middleware's before by hand (use() it instead)`);
  return found;
};

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

describe('the folders are the layers', () => {
  const files = [...sourceFiles('lib'), ...sourceFiles('functions')];

  it('every file in lib/ and functions/ keeps its layer\'s rules', () => {
    expect(files.length).toBeGreaterThan(30);
    expect(files.flatMap((file) => violations(file, readFileSync(file, 'utf8')))).toEqual([]);
  });

  it('has each layer present', () => {
    expect(new Set(files.map(layerOf))).toEqual(new Set(['core', 'adapter', 'http', 'events', 'config', 'compose', 'entry']));
  });

  it('only lib/compose.ts imports both the configuration and the adapters (outside the configuration itself)', () => {
    const both = files.filter((file) => {
      const layers = new Set(specifiersOf(readFileSync(file, 'utf8')).filter((s) => s.startsWith('.')).map((s) => layerOf(resolve(file, s))));
      return layers.has('config') && layers.has('adapter') && layerOf(file) !== 'config';
    });
    expect(both).toEqual(['lib/compose.ts']);
  });
});

describe('a file added in the wrong place fails', () => {
  it.each([
    ['lib/core/clock.ts', "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';", /the core imports the package @aws-sdk\/client-dynamodb/],
    ['lib/core/policy/rule.ts', "import { jwtVerify } from 'jose';", /the core imports the package jose/],
    ['lib/core/use-case.ts', "import { createDocumentClient } from '../adapters/dynamodb/client.js';", /the core layer may not import/],
    ['lib/core/x.ts', "import middy from '@middy/core';", /the core imports the package @middy\/core/],
    ['lib/core/settings.ts', 'export const cost = Number(process.env.BCRYPT_COST);', /reads process.env/],
    ['lib/adapters/dynamodb/x.ts', "import { jsonResponse } from '../../http/envelope.js';", /the adapter layer may not import/],
    ['lib/adapters/dynamodb/x.ts', "import { loadConfig } from '../../config/load.js';", /the adapter layer may not import/],
    ['lib/adapters/ses/x.ts', "import { createBcryptHasher } from '../bcrypt/password-hash.js';", /imports another adapter/],
    ['lib/http/x.ts', "import { DynamoUserStore } from '../adapters/dynamodb/user-store.js';", /the http layer may not import/],
    ['lib/http/x.ts', "import { loadConfig } from '../config/load.js';", /the http layer may not import/],
    ['lib/events/x.ts', "import { sesEmailSender } from '../adapters/ses/email-sender.js';", /the events layer may not import/],
    ['lib/events/x.ts', "import { loadNoticeConfig } from '../config/load.js';", /the events layer may not import/],
    ['lib/events/x.ts', "import { createLogger } from '../http/logger.js';", /the events layer may not import/],
    ['lib/http/x.ts', "import { createNoticeHandler } from '../events/password-changed-notice.js';", /the http layer may not import/],
    ['lib/events/x.ts', 'export const table = process.env.IDEMPOTENCY_TABLE;', /reads process.env/],
    ['lib/config/x.ts', "import { changePasswordHandler } from '../compose.js';", /the config layer may not import/],
    ['lib/helpers.ts', 'export const x = 1;', /not in a layer's folder/],
    ['lib/adapters/loose.ts', 'export const x = 1;', /not in a layer's folder/],
    ['functions/change-password/handler.ts', "import { createHandler } from '../../lib/http/change-password-handler.js';", /the entry layer may not import/],
    ['lib/core/cache.ts', 'let cache = new Map();', /module-level let/],
    ['lib/http/chain.ts', 'parser.before?.(request);', /calls a middleware's before by hand/],
  ])('%s with `%s`', (file, source, message) => {
    expect(violations(file, source).join('\n')).toMatch(message);
  });

  it('lets a file in its place through', () => {
    expect(violations('lib/core/x.ts', "import { AppError } from './errors.js';\nimport { createHash } from 'node:crypto';")).toEqual([]);
    expect(violations('lib/adapters/ses/x.ts', "import type { ChangeNotifier } from '../../core/ports.js';\nimport { SESv2Client } from '@aws-sdk/client-sesv2';")).toEqual([]);
    expect(violations('functions/x/handler.ts', "import { changePasswordHandler } from '../../lib/compose.js';")).toEqual([]);
    expect(violations('lib/events/x.ts', "import type { NoticeOutcome } from '../core/notify-owner.js';\nimport { makeIdempotent } from '@aws-lambda-powertools/idempotency';")).toEqual([]);
  });
});
