/**
 * Test files that run in a fresh process each (vitest project `isolated`); every other in-process
 * file shares its worker's module cache (project `in-process`, isolate: false), which saves loading
 * the handler's dependencies once per file. A file belongs here when it changes process-wide state
 * (module mocks, environment stubs and module reloads, spies on process streams: PROCESS_WIDE finds
 * those, and `tests/project/test-isolation.test.ts` keeps the list complete) or depends on it.
 */
export const ISOLATED_FILES: Record<string, string> = {
  'tests/adapters/hibp/breached-passwords.test.ts': 'stubs the environment, spies on stdout',
  'tests/compose/default-handler.test.ts': 'stubs the environment, spies on stdout',
  'tests/http/observability.test.ts': 'stubs the environment, spies on stdout',
  'tests/adapters/dynamodb/table-layout.test.ts': 'stubs the environment for the exported handler',
  'tests/adapters/jwt/token-clock.test.ts': 'fakes the Date clock',
  'tests/adapters/eventbridge/default-client.test.ts': 'stubs the environment the default EventBridge client reads',
  'tests/adapters/dynamodb/client.test.ts': 'stubs the environment the DynamoDB client could read',
  'tests/adapters/ssm/secret-max-age.test.ts': 'fakes the Date clock',
  'tests/http/json-body-parser.test.ts': 'mocks a module',
  'tests/http/logger.test.ts': 'stubs the environment, spies on stdout',
  'tests/events/password-changed-notice.test.ts': 'stubs the environment, spies on stdout',
  'tests/project/test-selection.test.ts': 'stubs the environment vitest.config.ts reads as it loads',
  'tests/http/x-ray.test.ts': 'stubs the environment the X-Ray SDK reads when it loads',
};

/** What makes a file belong in ISOLATED_FILES. */
export const PROCESS_WIDE = /\bvi\.(mock|doMock|stubEnv|stubGlobal|resetModules|useFakeTimers)\(|vi\.spyOn\((process|stream)\b|process\.env(\.\w+|\[[^\]]+\])\s*=[^=]/;
