import { afterEach, describe, expect, it } from 'vitest';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createBcryptHasher } from '../../../lib/adapters/bcrypt/password-hash.js';
import { itemKey } from '../../../lib/adapters/dynamodb/table-layout.js';
import type { PasswordHasher, UserStore } from '../../../lib/core/ports.js';
import type { HttpResult } from '../../../lib/http/event.js';
import { mintToken } from '../../../scripts/local/dev-token.js';
import { apiEvent, errorCode, parseBody, rawDocumentClient, SEED_NEW, SEED_OLD, TEST_COST, useHarness, type Harness } from '../../support/harness.js';
import { DEFAULT_TABLE_LAYOUT, SINGLE_TABLE_LAYOUT, type LayoutFixture } from '../../support/layouts.js';
import { claims, DEV_SECRET_KEY, signToken } from '../../support/tokens.js';

/**
 * Step-up (MFA_REQUIRED, MFA_AMR_VALUES, MFA_ACR_VALUES, MAX_AUTH_AGE_SECONDS) through the real
 * handler and dynalite, with tokens signed as an identity provider would sign them. A refusal is
 * 403 4003 with details.reason, runs no bcrypt, takes no old-password attempt and changes nothing.
 */

/** Every bcrypt operation the handler runs (verify or hash): a step-up refusal must run none. */
let bcryptCalls = 0;
const countingHasher = (): PasswordHasher => {
  const real = createBcryptHasher(TEST_COST);
  return {
    ...real,
    verify: (password, stored) => ((bcryptCalls += 1), real.verify(password, stored)),
    hashWithSalt: (password, salt) => ((bcryptCalls += 1), real.hashWithSalt(password, salt)),
  };
};

/** A valid token for `userId`, issued now, with these extra claims (amr, acr, auth_time). */
const token = (userId: string, extra: Record<string, unknown> = {}) => signToken(claims(userId, extra), DEV_SECRET_KEY, 'HS256');

const MFA_REQUIRED_BODY = { status: false, error: { code: 4003, message: 'Multi-factor authentication required', details: { reason: 'mfaRequired' } } };
const REAUTHENTICATION_BODY = { status: false, error: { code: 4003, message: 'Multi-factor authentication required', details: { reason: 'reauthenticationRequired' } } };

/** A refused change: the record is exactly as before (hash, attempts, everything) and no bcrypt ran. */
const expectRefusedUntouched = async (h: Harness, userId: string, attempt: () => Promise<HttpResult>, body: unknown) => {
  const before = await h.getItem(userId);
  bcryptCalls = 0;
  const res = await attempt();
  expect(res.statusCode).toBe(403);
  expect(parseBody(res)).toEqual(body);
  expect(bcryptCalls).toBe(0);
  expect(await h.getItem(userId)).toEqual(before);
};

describe('with every step-up setting off (the default)', () => {
  const { h } = useHarness({ hasher: countingHasher() });

  it('lets an enrolled user change the password with a token that proves no factor and has no auth_time', async () => {
    const { userId } = await h.seedUser({ mfaEnrolled: true });
    const res = await h.change(await token(userId, { amr: ['pwd'] }), SEED_OLD, SEED_NEW);
    expect(res.statusCode).toBe(200);
  });
});

// On both table layouts; on the single-table one, the enrolment lives in a renamed attribute.
const RENAMED_ENROLMENT: LayoutFixture = {
  ...SINGLE_TABLE_LAYOUT,
  name: `${SINGLE_TABLE_LAYOUT.name}, mfaEnrolled=hasMfa`,
  env: { ...SINGLE_TABLE_LAYOUT.env, USERS_ATTRIBUTE_NAMES: `${SINGLE_TABLE_LAYOUT.env.USERS_ATTRIBUTE_NAMES},mfaEnrolled=hasMfa` },
};

describe.each([DEFAULT_TABLE_LAYOUT, RENAMED_ENROLMENT])('MFA_REQUIRED=when-enrolled on the $name layout', (layout) => {
  const { h } = useHarness({ hasher: countingHasher() }, { layout, env: { MFA_REQUIRED: 'when-enrolled', MFA_ACR_VALUES: 'urn:example:aal2' } });
  afterEach(async () => {
    expect(await h.changedNeighbours()).toEqual([]);
  });

  it('refuses an enrolled user whose token proves no factor: 403 4003 mfaRequired, no bcrypt, no attempt taken, nothing changed', async () => {
    const { userId } = await h.seedUser({ mfaEnrolled: true });
    await expectRefusedUntouched(h, userId, async () => h.change(await token(userId, { amr: ['pwd'] }), SEED_OLD, SEED_NEW), MFA_REQUIRED_BODY);
    await expectRefusedUntouched(h, userId, async () => h.change(await token(userId), SEED_OLD, SEED_NEW), MFA_REQUIRED_BODY);
    expect(await h.getItem(userId)).not.toHaveProperty('oldPasswordAttempts');
  });

  it('takes no attempt from a window already counting wrong old passwords', async () => {
    const { userId } = await h.seedUser({ mfaEnrolled: true });
    const strong = await token(userId, { amr: ['pwd', 'mfa'] });
    expect(errorCode(await h.change(strong, 'Wrong-P@ss-1', SEED_NEW))).toBe(5023);
    expect((await h.getItem(userId))?.oldPasswordAttempts).toBe(1);
    await expectRefusedUntouched(h, userId, async () => h.change(await token(userId), SEED_OLD, SEED_NEW), MFA_REQUIRED_BODY);
    expect((await h.getItem(userId))?.oldPasswordAttempts).toBe(1);
  });

  it('lets an enrolled user change the password when amr holds "mfa"', async () => {
    const { userId } = await h.seedUser({ mfaEnrolled: true });
    expect((await h.change(await token(userId, { amr: ['pwd', 'mfa'] }), SEED_OLD, SEED_NEW)).statusCode).toBe(200);
  });

  it('lets an enrolled user change the password when acr is one of MFA_ACR_VALUES', async () => {
    const { userId } = await h.seedUser({ mfaEnrolled: true });
    expect((await h.change(await token(userId, { acr: 'urn:example:aal2' }), SEED_OLD, SEED_NEW)).statusCode).toBe(200);
    const other = await h.seedUser({ mfaEnrolled: true });
    expect(errorCode(await h.change(await token(other.userId, { acr: 'urn:example:aal1' }), SEED_OLD, SEED_NEW))).toBe(4003);
  });

  it.each([
    ['no enrolment attribute', {}],
    ['mfaEnrolled false', { mfaEnrolled: false }],
    ['mfaEnrolled the string "true" (only the boolean counts)', { mfaEnrolled: 'true' }],
    ['mfaEnrolled 1', { mfaEnrolled: 1 }],
  ])('lets a user who is not enrolled (%s) change the password without a factor', async (_case, attributes) => {
    const { userId } = await h.seedUser(attributes);
    expect((await h.change(await token(userId, { amr: ['pwd'] }), SEED_OLD, SEED_NEW)).statusCode).toBe(200);
  });

  it('reads the enrolment only from the configured attribute', async () => {
    const { userId } = await h.seedUser();
    // The other name: the default one on the renamed layout, the renamed one on the default layout.
    const otherName = layout === RENAMED_ENROLMENT ? 'mfaEnrolled' : 'hasMfa';
    await rawDocumentClient(h.endpoint).send(new UpdateCommand({
      TableName: h.table,
      Key: itemKey(h.usersLayout, userId),
      UpdateExpression: 'SET #other = :true',
      ExpressionAttributeNames: { '#other': otherName },
      ExpressionAttributeValues: { ':true': true },
    }));
    expect((await h.change(await token(userId), SEED_OLD, SEED_NEW)).statusCode).toBe(200);
  });

  it('reads a malformed amr (not an array) as no factor: 4003, not 401 or 500', async () => {
    const { userId } = await h.seedUser({ mfaEnrolled: true });
    await expectRefusedUntouched(h, userId, async () => h.change(await token(userId, { amr: 'mfa' }), SEED_OLD, SEED_NEW), MFA_REQUIRED_BODY);
  });

  it('answers an enrolled, locked-out user 4003 for a token without the factor and 429 for one with it', async () => {
    const { userId } = await h.seedUser({ mfaEnrolled: true });
    const strong = await token(userId, { amr: ['mfa'] });
    for (let i = 0; i < 5; i += 1) expect(errorCode(await h.change(strong, `Wrong-P@ss-${i}`, SEED_NEW))).toBe(5023);
    await expectRefusedUntouched(h, userId, async () => h.change(await token(userId), SEED_OLD, SEED_NEW), MFA_REQUIRED_BODY);
    expect(errorCode(await h.change(strong, SEED_OLD, SEED_NEW))).toBe(5029);
  });

  it('answers 404 for a subject with no record, whatever the token proves', async () => {
    expect(errorCode(await h.change(await mintToken('nobody-here'), SEED_OLD, SEED_NEW))).toBe(3001);
  });
});

describe('MFA_REQUIRED=when-enrolled with MFA_AMR_VALUES', () => {
  const { h } = useHarness({}, { env: { MFA_REQUIRED: 'when-enrolled', MFA_AMR_VALUES: 'hwk, otp' } });

  it('takes only the listed amr values as the factor', async () => {
    const { userId } = await h.seedUser({ mfaEnrolled: true });
    expect(errorCode(await h.change(await token(userId, { amr: ['mfa'] }), SEED_OLD, SEED_NEW))).toBe(4003);
    expect((await h.change(await token(userId, { amr: ['pwd', 'otp'] }), SEED_OLD, SEED_NEW)).statusCode).toBe(200);
  });
});

/** The store as composed, counting every call: a refusal the claims decide must make none. */
const countingStore = (h: Harness) => {
  const calls: string[] = [];
  const store: UserStore = {
    beginAttempt: (...args) => (calls.push('beginAttempt'), h.deps.store.beginAttempt(...args)),
    releaseAttempt: (...args) => (calls.push('releaseAttempt'), h.deps.store.releaseAttempt(...args)),
    replacePasswordHash: (...args) => (calls.push('replacePasswordHash'), h.deps.store.replacePasswordHash(...args)),
  };
  const invoke = h.invokerWith({ store });
  return { calls, change: (bearer: string) => invoke(apiEvent({ token: bearer, body: { oldPassword: SEED_OLD, newPassword: SEED_NEW } })) };
};

describe('MFA_REQUIRED=always', () => {
  const { h } = useHarness({ hasher: countingHasher() }, { env: { MFA_REQUIRED: 'always' } });

  it('refuses a user who is not enrolled when the token proves no factor, before the store is called', async () => {
    const { userId } = await h.seedUser();
    const { calls, change } = countingStore(h);
    await expectRefusedUntouched(h, userId, async () => change(await token(userId, { amr: ['pwd'] })), MFA_REQUIRED_BODY);
    expect(calls).toEqual([]);
  });

  it('answers 4003 even for a subject with no record: the claims alone decide', async () => {
    const res = await h.change(await token('nobody-here'), SEED_OLD, SEED_NEW);
    expect(parseBody(res)).toEqual(MFA_REQUIRED_BODY);
  });

  it('lets a token with the factor through', async () => {
    const { userId } = await h.seedUser();
    expect((await h.change(await token(userId, { amr: ['mfa'] }), SEED_OLD, SEED_NEW)).statusCode).toBe(200);
  });
});

describe('MAX_AUTH_AGE_SECONDS=300', () => {
  const { clock, h } = useHarness({ hasher: countingHasher() }, { env: { MAX_AUTH_AGE_SECONDS: '300' } });

  it('refuses a sign-in older than that: 403 4003 reauthenticationRequired, before the store is called', async () => {
    const { userId } = await h.seedUser();
    const { calls, change } = countingStore(h);
    await expectRefusedUntouched(h, userId, async () => change(await token(userId, { auth_time: clock.seconds() - 400 })), REAUTHENTICATION_BODY);
    expect(calls).toEqual([]);
  });

  it('refuses a token without auth_time, or with one that is not a number', async () => {
    const { userId } = await h.seedUser();
    await expectRefusedUntouched(h, userId, async () => h.change(await token(userId), SEED_OLD, SEED_NEW), REAUTHENTICATION_BODY);
    await expectRefusedUntouched(h, userId, async () => h.change(await token(userId, { auth_time: String(clock.seconds()) }), SEED_OLD, SEED_NEW), REAUTHENTICATION_BODY);
  });

  it('refuses an auth_time in the future beyond the clock tolerance', async () => {
    const { userId } = await h.seedUser();
    await expectRefusedUntouched(h, userId, async () => h.change(await token(userId, { auth_time: clock.seconds() + 120 }), SEED_OLD, SEED_NEW), REAUTHENTICATION_BODY);
  });

  it('lets a recent sign-in change the password, measured on the function\'s clock', async () => {
    const { userId } = await h.seedUser();
    const signedIn = clock.seconds() - 200;
    clock.advance(150_000);
    expect(errorCode(await h.change(await token(userId, { auth_time: signedIn }), SEED_OLD, SEED_NEW))).toBe(4003);
    clock.reset();
    expect((await h.change(await token(userId, { auth_time: signedIn }), SEED_OLD, SEED_NEW)).statusCode).toBe(200);
  });
});
