import { defineConfig } from 'vitest/config';
import { DEV_JWT_SECRET } from './lib/config.js';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The module-level handler reads these at import; tests that need other values build their own.
    env: { USERS_TABLE: 'users-test', JWT_SECRET: DEV_JWT_SECRET, BCRYPT_COST: '4', POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
