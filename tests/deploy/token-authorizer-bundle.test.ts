import { describe, expect, it } from 'vitest';
import { bundledModules, PASSWORD_MACHINERY } from '../support/bundle.js';

/**
 * What the token authorizer's bundle is made of (tests/support/bundle.ts). It sits in front of
 * every route, so the password machinery must stay out (lib/compose.ts builds it apart).
 */
describe('the token authorizer bundle', () => {
  it('carries jose, the DynamoDB client and its own code, and none of the password machinery', async () => {
    const modules = await bundledModules('functions/token-authorizer/handler.ts');
    expect(modules.some((m) => m.includes('node_modules/jose/'))).toBe(true);
    expect(modules.some((m) => m.includes('lib/adapters/dynamodb/session-store.ts'))).toBe(true);
    expect(modules.filter((m) => PASSWORD_MACHINERY.test(m))).toEqual([]);
  });

  it('is told apart from the change function, which does carry it', async () => {
    const modules = await bundledModules('functions/change-password/handler.ts');
    expect(modules.filter((m) => PASSWORD_MACHINERY.test(m)).length).toBeGreaterThan(5);
  });

  it('leaves the sample route GET /v1/session with neither jose nor the SDK', async () => {
    const modules = await bundledModules('functions/session/handler.ts');
    expect(modules.filter((m) => /node_modules\/(jose|@aws-sdk)\//.test(m) || PASSWORD_MACHINERY.test(m))).toEqual([]);
  });
});
