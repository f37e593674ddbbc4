import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createChangePasswordClient, type ChangePasswordClient } from '../../client/change-password.js';
import { putUser } from '../../scripts/local/dynamodb.js';
import { openApiCheckedFetch } from '../support/openapi.js';
import { claims, signToken } from '../support/tokens.js';

/**
 * Step-up through real HTTP: the shared `npm start` runs with MFA_REQUIRED=when-enrolled in its
 * shell, which reaches the function through serverless.yml; the typed client hands back the 4003
 * with its reason.
 */
const OLD = 'CurrentSecureP@ss123';
const NEW = 'NewSecureP@ssw0rd!';
const USER = 'step-up-enrolled-user';

const server = inject('localServer');
const tokenWith = (extra: Record<string, unknown>) => signToken(claims(USER, extra), new TextEncoder().encode(server.jwtSecret), 'HS256');
let client: ChangePasswordClient;

beforeAll(async () => {
  await putUser(server.dynamoEndpoint, server.table, { userId: USER, password: OLD, mfaEnrolled: true }, 4);
  client = createChangePasswordClient({ baseUrl: server.baseUrl, fetch: openApiCheckedFetch });
});

describe('npm start with MFA_REQUIRED=when-enrolled in the shell', () => {
  it('answers an enrolled user 403 4003 mfaRequired without the factor, then 200 with amr holding mfa', async () => {
    const refused = await client.changePassword({ oldPassword: OLD, newPassword: NEW }, await tokenWith({ amr: ['pwd'] }));
    expect(refused).toEqual({
      ok: false,
      status: 403,
      error: { code: 4003, message: 'Multi-factor authentication required', details: { reason: 'mfaRequired' } },
    });
    const changed = await client.changePassword({ oldPassword: OLD, newPassword: NEW }, await tokenWith({ amr: ['pwd', 'mfa'] }));
    expect(changed).toEqual({ ok: true, status: 200, data: { passwordChanged: 'OK' } });
  });
});
