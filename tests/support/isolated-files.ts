/**
 * Test files that run in a fresh process each (vitest project `isolated`); every other in-process
 * file shares its worker's module cache (project `in-process`, isolate: false), which saves loading
 * the handler's dependencies once per file. A file belongs here when it changes process-wide state
 * (module mocks, environment stubs and module reloads, spies on process streams: PROCESS_WIDE finds
 * those, and `tests/unit/test-isolation.test.ts` keeps the list complete) or depends on it.
 */
export const ISOLATED_FILES: Record<string, string> = {
  'tests/integration/breached-passwords.test.ts': 'stubs the environment, spies on stdout',
  'tests/integration/default-handler.test.ts': 'stubs the environment, spies on stdout',
  'tests/integration/observability.test.ts': 'stubs the environment, spies on stdout',
  'tests/integration/table-layout.test.ts': 'stubs the environment for the exported handler',
  'tests/unit/json-body-parser.test.ts': 'mocks a module',
  'tests/unit/logger.test.ts': 'stubs the environment, spies on stdout',
  // The overlap happens only while no other change runs in the process (lib/change-password.ts): a
  // change another file abandoned mid-flight (a silent dependency) would still count.
  'tests/integration/policy-overlap.test.ts': 'needs no other change in progress in its process',
};

/** What makes a file belong in ISOLATED_FILES. */
export const PROCESS_WIDE = /\bvi\.(mock|doMock|stubEnv|stubGlobal|resetModules|useFakeTimers)\(|vi\.spyOn\((process|stream)\b|process\.env(\.\w+|\[[^\]]+\])\s*=[^=]/;
