import { describe, expect, it } from 'vitest';
import { SEED_OLD, useHarness } from '../../support/harness.js';

/**
 * The minimum length by factor (PASSWORD_MIN_LENGTH_WITH_MFA) through the real handler: under the
 * nist profile a password that is the only factor needs 15 code points, and 8 do for a user whose
 * record says a second factor is enrolled (`mfaEnrolled`, as step-up reads it).
 */
const TEN = 'kettle-orb'; // 10 code points, not common, no personal word

describe('under PASSWORD_PROFILE=nist', () => {
  const { h } = useHarness({}, { env: { PASSWORD_PROFILE: 'nist' } });

  it('refuses a 10-character password with 5025 minLength for a user without a second factor, and changes nothing', async () => {
    const { userId, token } = await h.seedUser();
    const before = await h.getItem(userId);

    const refused = await h.change(token, SEED_OLD, TEN);

    expect(refused.body).toBe('{"status":false,"error":{"code":5025,"message":"New password does not meet the password policy","details":{"failedRules":["minLength"],"minLength":15}}}');
    expect((await h.getItem(userId))?.passwordHash).toBe(before?.passwordHash);
  });

  it('accepts it for a user whose record says mfaEnrolled', async () => {
    const { token } = await h.seedUser({ mfaEnrolled: true });
    expect((await h.change(token, SEED_OLD, TEN)).body).toBe('{"status":true,"data":{"passwordChanged":"OK"}}');
  });

  it('reads enrolment as step-up does: only the boolean true counts', async () => {
    const { token } = await h.seedUser({ mfaEnrolled: 'true' });
    expect(JSON.parse((await h.change(token, SEED_OLD, TEN)).body)).toMatchObject({ error: { code: 5025, details: { failedRules: ['minLength'] } } });
  });

  it('still refuses a common password of the right length for an enrolled user', async () => {
    const { token } = await h.seedUser({ mfaEnrolled: true });
    const refused = JSON.parse((await h.change(token, SEED_OLD, 'password1')).body) as { error: { code: number; details: { failedRules: string[] } } };
    expect(refused.error.code).toBe(5025);
    expect(refused.error.details.failedRules).toContain('commonPassword');
  });
});

describe('under the default profile with PASSWORD_MIN_LENGTH=12 and PASSWORD_MIN_LENGTH_WITH_MFA=9', () => {
  const { h } = useHarness({}, { env: { PASSWORD_MIN_LENGTH: '12', PASSWORD_MIN_LENGTH_WITH_MFA: '9' } });
  const NINE = 'Kt7!orbYz';

  it('applies 12 without a second factor and 9 with one, the other rules unchanged', async () => {
    const plain = await h.seedUser();
    const enrolled = await h.seedUser({ mfaEnrolled: true });

    expect(JSON.parse((await h.change(plain.token, SEED_OLD, NINE)).body)).toMatchObject({ error: { code: 5025, details: { failedRules: ['minLength'], minLength: 12 } } });
    expect(JSON.parse((await h.change(enrolled.token, SEED_OLD, 'Kt7!orb')).body)).toMatchObject({ error: { code: 1002 } });
    expect((await h.change(enrolled.token, SEED_OLD, NINE)).statusCode).toBe(200);
    // Composition still applies to the enrolled user: the factor changes the length alone.
    const other = await h.seedUser({ mfaEnrolled: true });
    expect(JSON.parse((await h.change(other.token, SEED_OLD, 'kt7orbyzq')).body)).toMatchObject({ error: { details: { failedRules: ['upper', 'symbol'] } } });
  });
});

describe('under the default profile with nothing set', () => {
  const { h } = useHarness();

  it('keeps one minimum for everyone, enrolled or not: 8 code points pass the length, and the same rules judge the rest', async () => {
    for (const attributes of [{}, { mfaEnrolled: true }]) {
      const { token } = await h.seedUser(attributes);
      expect(JSON.parse((await h.change(token, SEED_OLD, 'Qx7!vRz#')).body)).toMatchObject({ error: { code: 5025, details: { failedRules: ['strength'] } } });
    }
  });
});

describe('with one minimum for everyone (PASSWORD_MIN_LENGTH=10 alone)', () => {
  const { h } = useHarness({}, { env: { PASSWORD_MIN_LENGTH: '10' } });

  it('answers a length refusal exactly as before, naming no minimum', async () => {
    const { token } = await h.seedUser({ mfaEnrolled: true });
    const refused = await h.change(token, SEED_OLD, 'Kt7!orbYz');
    expect(refused.body).toBe('{"status":false,"error":{"code":5025,"message":"New password does not meet the password policy","details":{"failedRules":["minLength"]}}}');
  });
});
