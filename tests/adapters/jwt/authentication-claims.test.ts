import { describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../../lib/adapters/jwt/token-verifier.js';
import { claims, DEV_SECRET_KEY, signToken } from '../../support/tokens.js';
import { DEV_JWT_SECRET } from '../../../lib/config/variables.js';

/**
 * How the holder signed in, as the verifier hands it to step-up: `amr` (RFC 8176), `acr` and
 * `auth_time` (OpenID Connect Core §2) from the verified payload. A claim of the wrong type is
 * absent, never a 401: step-up then refuses it only where it asks for that claim.
 */
const verify = createTokenVerifier({ key: { kind: 'secret', secret: DEV_JWT_SECRET }, issuer: undefined, audience: undefined });
const verified = async (extra: Record<string, unknown>) => verify(`Bearer ${await signToken(claims('user-1', extra), DEV_SECRET_KEY, 'HS256')}`);

describe('the authentication claims of a verified token', () => {
  it('passes amr, acr and auth_time through', async () => {
    const result = await verified({ amr: ['pwd', 'mfa'], acr: 'urn:example:aal2', auth_time: 1_800_000_000 });
    expect(result).toMatchObject({ userId: 'user-1', amr: ['pwd', 'mfa'], acr: 'urn:example:aal2', authTime: 1_800_000_000 });
  });

  it('leaves each absent when the token has none', async () => {
    const result = await verified({});
    expect(result).toHaveProperty('amr', undefined);
    expect(result).toHaveProperty('acr', undefined);
    expect(result).toHaveProperty('authTime', undefined);
  });

  it.each([
    ['amr a string', { amr: 'mfa' }, { amr: undefined }],
    ['amr an object', { amr: { 0: 'mfa' } }, { amr: undefined }],
    ['amr with entries that are not strings', { amr: ['pwd', 7, null, ['mfa'], 'otp'] }, { amr: ['pwd', 'otp'] }],
    ['acr a number', { acr: 2 }, { acr: undefined }],
    ['acr a list', { acr: ['aal2'] }, { acr: undefined }],
    ['auth_time a string', { auth_time: '1800000000' }, { authTime: undefined }],
    ['auth_time null', { auth_time: null }, { authTime: undefined }],
  ])('reads %s as absent (or keeps only its strings), and still accepts the token', async (_case, extra, expected) => {
    const result = await verified(extra);
    expect(result.userId).toBe('user-1');
    for (const [name, value] of Object.entries(expected)) expect(result).toHaveProperty(name, value);
  });
});
