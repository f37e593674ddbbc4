/**
 * Test files that change process-wide state: module mocks (vi.mock), environment stubs and module
 * reloads (vi.stubEnv, vi.resetModules), spies on process streams. Each runs in a fresh process
 * (vitest project `isolated`); every other in-process file shares its worker's module cache
 * (project `in-process`, isolate: false), which saves loading the handler's dependencies once per
 * file. `tests/unit/test-isolation.test.ts` keeps this list complete.
 */
export const ISOLATED_FILES = [
  'tests/integration/breached-passwords.test.ts',
  'tests/integration/default-handler.test.ts',
  'tests/integration/observability.test.ts',
  'tests/integration/table-layout.test.ts',
  'tests/unit/json-body-parser.test.ts',
  'tests/unit/logger.test.ts',
];

/** What makes a file belong in ISOLATED_FILES. */
export const PROCESS_WIDE = /\bvi\.(mock|doMock|stubEnv|stubGlobal|resetModules|useFakeTimers)\(|vi\.spyOn\((process|stream)\b|process\.env(\.\w+|\[[^\]]+\])\s*=[^=]/;
