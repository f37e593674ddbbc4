import { describe, expect, it } from 'vitest';
import { changePasswordHandler, passwordChangedNoticeHandler, passwordChangedRelayHandler, passwordPolicyHandler, sessionHandler, tokenAuthorizerHandler } from '../../lib/compose.js';
import { DEV_JWT_SECRET, FUNCTIONS, functionVariables, VARIABLES, type FunctionName } from '../../lib/config/variables.js';

/**
 * Each function's environment is the variables whose `functions` name it in lib/config/variables.ts
 * (serverless.yml gives it those and no other; tests/deploy/package.test.ts reads them back from the
 * package). Here the table is held to the code: each function's composition, built as its cold
 * start builds it, reads exactly those variables of the table, through the configuration loaders
 * and through Powertools, which reads its own from process.env.
 */
const COMPOSITIONS: Record<FunctionName, () => unknown> = {
  changePassword: () => changePasswordHandler(),
  tokenAuthorizer: () => tokenAuthorizerHandler(),
  session: () => sessionHandler(),
  passwordChangedNotice: () => passwordChangedNoticeHandler(),
  passwordChangedRelay: () => passwordChangedRelayHandler(),
  passwordPolicy: () => passwordPolicyHandler(),
};

/** Enough for every loader to read all it reads: the required values, an endpoint, tracing on inside Lambda. */
const ENVIRONMENT = {
  STAGE: 'prod',
  USERS_TABLE: 'users',
  JWT_SECRET: `not-${DEV_JWT_SECRET}`,
  DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
  POWERTOOLS_TRACE_ENABLED: 'true',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  NOTICE_FROM_ADDRESS: 'no-reply@example.com',
  NOTICE_RESET_URL: 'https://app.example.com/reset',
  IDEMPOTENCY_TABLE: 'idempotency',
  EVENT_BUS_NAME: 'platform-bus',
};

/**
 * The table's function variables that `build` reads from process.env. The swap is synchronous and
 * undone before anything else runs, so no other test in the worker sees it.
 */
const variablesRead = (build: () => unknown): string[] => {
  const seen = new Set<string>();
  const note = (key: string | symbol) => typeof key === 'string' && seen.add(key);
  const real = process.env;
  const environment: Record<string | symbol, string | undefined> = { ...ENVIRONMENT };
  process.env = new Proxy(environment, { get: (target, key) => (note(key), target[key]), has: (target, key) => (note(key), key in target) });
  try {
    build();
  } finally {
    process.env = real;
  }
  return [...seen].filter((name) => (VARIABLES as Record<string, { scope: string }>)[name]?.scope === 'function').sort();
};

describe('each function\'s environment', () => {
  it.for(FUNCTIONS)('is exactly what %s reads at cold start', (fn) => {
    expect(variablesRead(COMPOSITIONS[fn])).toEqual([...functionVariables(fn)].sort());
  });
});
