import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../../scripts/local/dev-token.js';
import { hashPassword, verifyPassword } from '../../../lib/adapters/bcrypt/password-hash.js';
import type { UserStore } from '../../../lib/core/ports.js';
import { deferred } from '../../support/fault-servers.js';
import { apiEvent, parseBody, SEED_NEW, SEED_OLD, startHarness, type Harness, withoutCounter } from '../../support/harness.js';
import { LAYOUTS } from '../../support/layouts.js';

const SEED_BODY = { oldPassword: SEED_OLD, newPassword: SEED_NEW };

// The contract, the storage guarantees and the race on each table layout (USERS_KEY,
// USERS_ATTRIBUTE_NAMES); on the single-table one, the user's neighbouring items must stay as seeded.
describe.each(LAYOUTS)('POST /v1/users/profile/change-password on the $name layout', (layout) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({}, layout);
  });
  afterEach(async () => {
    expect(await h.changedNeighbours()).toEqual([]);
  });
  afterAll(() => h.stop());

  /** Asserts the stored record is as it was, counter aside: the refusal changed nothing. */
  const expectUnchanged = async (userId: string, before: Record<string, unknown> | undefined) => {
    expect(withoutCounter(await h.getItem(userId))).toEqual(withoutCounter(before));
  };

  describe('the four documented answers', () => {
    it('answers 200 with the exact success body and stores a hash of the new password', async () => {
      const { userId, token } = await h.seedUser();
      const before = Date.now();
      const res = await h.invoke(apiEvent({ token, body: SEED_BODY }));
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('{"status":true,"data":{"passwordChanged":"OK"}}');
      const item = await h.getItem(userId);
      expect(await verifyPassword(SEED_NEW, item?.passwordHash as string)).toBe(true);
      expect(await verifyPassword(SEED_OLD, item?.passwordHash as string)).toBe(false);
      expect(item?.passwordHash).toMatch(/^\$2b\$04\$/);
      const changedAt = Date.parse(item?.passwordChangedAt as string);
      expect(item?.passwordChangedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(changedAt).toBeGreaterThanOrEqual(before - 1000);
    });

    it('answers 400 5023 when the old password is wrong, and changes nothing', async () => {
      const { userId, token } = await h.seedUser();
      const before = await h.getItem(userId);
      const res = await h.invoke(apiEvent({ token, body: { oldPassword: 'WrongPassw0rd!', newPassword: SEED_NEW } }));
      expect(res.statusCode).toBe(400);
      expect(res.body).toBe('{"status":false,"error":{"code":5023,"message":"Incorrect old password"}}');
      await expectUnchanged(userId, before);
    });

    it('answers 401 4002 when there is no bearer token', async () => {
      const { userId } = await h.seedUser();
      const before = await h.getItem(userId);
      const noBearer: Record<string, string>[] = [{}, { authorization: '' }, { authorization: 'Basic dXNlcjpwYXNz' }, { authorization: 'Bearer ' }];
      for (const headers of noBearer) {
        const res = await h.invoke(apiEvent({ body: SEED_BODY, headers }));
        expect(res.statusCode).toBe(401);
        expect(res.body).toBe('{"status":false,"error":{"code":4002,"message":"No auth token"}}');
      }
      await expectUnchanged(userId, before);
    });

    it('answers 401 4001 for a token that fails verification', async () => {
      const { userId } = await h.seedUser();
      const before = await h.getItem(userId);
      const forged = await mintToken(userId, { secret: 'another-secret-that-is-long-enough-for-hs256' });
      const expired = await mintToken(userId, { expiresIn: Math.floor(Date.now() / 1000) - 3600 });
      for (const token of [forged, expired, 'not.a.jwt', 'garbage']) {
        const res = await h.invoke(apiEvent({ token, body: SEED_BODY }));
        expect(res.statusCode).toBe(401);
        expect(res.body).toBe('{"status":false,"error":{"code":4001,"message":"Unauthorized"}}');
      }
      await expectUnchanged(userId, before);
    });

    it('answers 400 5023 for a user who has no password (federated sign-in only), and stores none', async () => {
      const { userId, token } = await h.seedUser();
      await h.removeAttributes(userId, ['passwordHash']);
      const res = await h.invoke(apiEvent({ token, body: SEED_BODY }));
      expect(res.statusCode).toBe(400);
      expect(res.body).toBe('{"status":false,"error":{"code":5023,"message":"Incorrect old password"}}');
      expect(await h.getItem(userId)).not.toHaveProperty('passwordHash');
    });

    it('accepts the bearer scheme in any case', async () => {
      const { token } = await h.seedUser();
      const res = await h.invoke(apiEvent({ body: SEED_BODY, headers: { Authorization: `bEaReR ${token}` } }));
      expect(res.statusCode).toBe(200);
    });

    it('answers 404 3001 when the token user has no record, and creates none', async () => {
      const token = await mintToken('ghost-user');
      const res = await h.invoke(apiEvent({ token, body: SEED_BODY }));
      expect(res.statusCode).toBe(404);
      expect(res.body).toBe('{"status":false,"error":{"code":3001,"message":"Entity not found"}}');
      expect(await h.getItem('ghost-user')).toBeUndefined();
    });
  });

  describe('bad input is a 4xx envelope and changes nothing', () => {
    const cases: { name: string; status: number; code: number; event: (token: string) => Parameters<Harness['invoke']>[0] }[] = [
      { name: 'malformed JSON', status: 400, code: 1001, event: (token) => apiEvent({ token, rawBody: '{"oldPassword":' }) },
      { name: 'an empty body', status: 400, code: 1001, event: (token) => apiEvent({ token, rawBody: '' }) },
      { name: 'a JSON array', status: 400, code: 1001, event: (token) => apiEvent({ token, rawBody: '[]' }) },
      { name: 'a JSON string', status: 400, code: 1001, event: (token) => apiEvent({ token, rawBody: '"x"' }) },
      { name: 'JSON null', status: 400, code: 1001, event: (token) => apiEvent({ token, rawBody: 'null' }) },
      { name: 'a __proto__ key', status: 400, code: 1001, event: (token) => apiEvent({ token, rawBody: `{"__proto__":{"x":1},"oldPassword":"${SEED_OLD}","newPassword":"${SEED_NEW}"}` }) },
      { name: 'a constructor key', status: 400, code: 1001, event: (token) => apiEvent({ token, rawBody: `{"constructor":{"prototype":{"x":1}},"oldPassword":"${SEED_OLD}","newPassword":"${SEED_NEW}"}` }) },
      { name: 'a prototype key', status: 400, code: 1001, event: (token) => apiEvent({ token, rawBody: `{"prototype":{"x":1},"oldPassword":"${SEED_OLD}","newPassword":"${SEED_NEW}"}` }) },
      { name: 'base64 that is not UTF-8', status: 400, code: 1001, event: (token) => apiEvent({ token, rawBody: Buffer.from([0xff, 0xfe, 0x7b]).toString('base64'), isBase64Encoded: true }) },
      { name: 'a missing oldPassword', status: 400, code: 1002, event: (token) => apiEvent({ token, body: { newPassword: SEED_NEW } }) },
      { name: 'a missing newPassword', status: 400, code: 1002, event: (token) => apiEvent({ token, body: { oldPassword: SEED_OLD } }) },
      { name: 'a numeric password', status: 400, code: 1002, event: (token) => apiEvent({ token, body: { oldPassword: 12345678, newPassword: SEED_NEW } }) },
      { name: 'a null password', status: 400, code: 1002, event: (token) => apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: null } }) },
      { name: 'a 7-character new password', status: 400, code: 1002, event: (token) => apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: 'Ab1!xyz' } }) },
      { name: 'a 129-character new password', status: 400, code: 1002, event: (token) => apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: 'Aa1!'.repeat(32) + 'x' } }) },
      { name: 'a 129-character old password', status: 400, code: 1002, event: (token) => apiEvent({ token, body: { oldPassword: 'x'.repeat(129), newPassword: SEED_NEW } }) },
      { name: 'a new password equal to the old', status: 400, code: 5024, event: (token) => apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: SEED_OLD } }) },
      { name: 'a new password that fails the policy', status: 400, code: 5025, event: (token) => apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: 'alllowercase' } }) },
      { name: 'a text/plain content type', status: 415, code: 1003, event: (token) => apiEvent({ token, body: SEED_BODY, headers: { 'content-type': 'text/plain' } }) },
      { name: 'no content type', status: 415, code: 1003, event: (token) => ({ ...apiEvent({ token, body: SEED_BODY }), headers: { authorization: `Bearer ${token}` } }) },
      { name: 'a body over 8 KiB', status: 413, code: 1004, event: (token) => apiEvent({ token, body: { ...SEED_BODY, padding: 'x'.repeat(9000) } }) },
      { name: 'a GET request', status: 405, code: 1005, event: (token) => apiEvent({ token, body: SEED_BODY, method: 'GET' }) },
    ];

    it.each(cases)('answers $status $code for $name', async ({ status, code, event }) => {
      const { userId, token } = await h.seedUser();
      const before = await h.getItem(userId);
      const res = await h.invoke(event(token));
      expect(res.statusCode).toBe(status);
      expect(res.headers['Content-Type']).toBe('application/json; charset=utf-8');
      const body = parseBody(res) as { status: boolean; error: { code: number; message: string } };
      expect(body.status).toBe(false);
      expect(body.error.code).toBe(code);
      expect(typeof body.error.message).toBe('string');
      expect(res.body).not.toContain(SEED_OLD);
      await expectUnchanged(userId, before);
    });

    it.each(['application/json; charset=utf-8', 'Application/JSON;charset=UTF-8', 'application/merge-patch+json', 'application/vnd.api+json; charset=utf-8'])(
      'accepts Content-Type %s',
      async (contentType) => {
        const { token } = await h.seedUser();
        const res = await h.invoke(apiEvent({ token, body: SEED_BODY, headers: { 'content-type': contentType } }));
        expect(res.statusCode).toBe(200);
      },
    );

    it('names the failed fields without echoing values', async () => {
      const { token } = await h.seedUser();
      const res = await h.invoke(apiEvent({ token, body: { newPassword: 'short' } }));
      expect(parseBody(res)).toEqual({
        status: false,
        error: { code: 1002, message: 'Request body fields are invalid', details: { fieldErrors: ['oldPassword:required', 'newPassword:tooShort'] } },
      });
    });

    it('lists the failed policy rules machine-readably', async () => {
      const { token } = await h.seedUser();
      const res = await h.invoke(apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: 'aaaaaaaa' } }));
      expect(parseBody(res)).toEqual({
        status: false,
        error: { code: 5025, message: 'New password does not meet the password policy', details: { failedRules: ['upper', 'digit', 'symbol', 'minUniqueChars'] } },
      });
    });

    it('counts length in code points: 8 emoji are 8 characters, not 16', async () => {
      const { token } = await h.seedUser({}, 'Old-😀😀😀😀-pw1');
      const res = await h.invoke(apiEvent({ token, body: { oldPassword: 'Old-😀😀😀😀-pw1', newPassword: 'A1!😀😀😀😀b' } }));
      expect(res.statusCode).toBe(200);
    });

    it('authenticates before reading the body: no token and a bad body is still 401 4002', async () => {
      const res = await h.invoke(apiEvent({ rawBody: '{nope' }));
      expect(res.statusCode).toBe(401);
      expect((parseBody(res) as { error: { code: number } }).error.code).toBe(4002);
    });

    it('ignores a userId in the body: only the token chooses the user', async () => {
      const victim = await h.seedUser();
      const attacker = await h.seedUser();
      const victimBefore = await h.getItem(victim.userId);
      const res = await h.invoke(apiEvent({ token: attacker.token, body: { ...SEED_BODY, userId: victim.userId } }));
      expect(res.statusCode).toBe(200);
      await expectUnchanged(victim.userId, victimBefore);
    });
  });

  describe('storage', () => {
    it('touches only passwordHash, passwordChangedAt and passwordHistory, keeping every other attribute', async () => {
      const extra = { email: 'ana@example.org', username: 'ana', roles: ['admin'], profile: { locale: 'pt-BR' }, loginCount: 42 };
      const { userId, token } = await h.seedUser(extra);
      const before = await h.getItem(userId);
      expect((await h.invoke(apiEvent({ token, body: SEED_BODY }))).statusCode).toBe(200);
      const after = await h.getItem(userId);
      const { passwordHash: _a, passwordChangedAt: _b, passwordHistory: _h, ...kept } = after ?? {};
      const { passwordHash: _c, ...keptBefore } = before ?? {};
      expect(kept).toEqual(keptBefore);
      expect(kept).toMatchObject(extra);
    });

    it('verifies a legacy $2a$/$2y$ hash at another cost and stores the new one at the configured cost', async () => {
      for (const prefix of ['$2a$', '$2y$']) {
        const legacy = (await hashPassword(SEED_OLD, 5)).replace('$2b$', prefix);
        const { userId, token } = await h.seedUser();
        await h.setAttributes(userId, { passwordHash: legacy });
        expect((await h.invoke(apiEvent({ token, body: SEED_BODY }))).statusCode).toBe(200);
        expect((await h.getItem(userId))?.passwordHash).toMatch(/^\$2b\$04\$/);
      }
    });

    it('lets exactly one of 8 changes held at the write win; the 7 others answer 409 5026 and the stored hash is the winner’s', async () => {
      // Arrange: every request is held at the write until all 8 have verified the same old hash,
      // so the conditional write, not luck, decides. A limit above 8 lets all 8 reach it.
      const CONCURRENT = 8;
      let arrived = 0;
      const allAtTheWrite = deferred();
      const store: UserStore = {
        beginAttempt: (id, now, limits) => h.deps.store.beginAttempt(id, now, limits),
        releaseAttempt: (id, windowStart) => h.deps.store.releaseAttempt(id, windowStart),
        replacePasswordHash: async (change) => {
          if ((arrived += 1) === CONCURRENT) allAtTheWrite.resolve();
          await allAtTheWrite.promise;
          return h.deps.store.replacePasswordHash(change);
        },
      };
      const race = h.invokerWith({ store, limits: { ...h.deps.limits, maxAttempts: 100 } });
      const { userId, token } = await h.seedUser();
      const candidates = Array.from({ length: CONCURRENT }, (_, i) => `Winner-${i}-P@ssw0rd`);

      // Act
      const results = await Promise.all(candidates.map((newPassword) => race(apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword } }))));

      // Assert
      expect(arrived).toBe(CONCURRENT);
      const winners = results.flatMap((res, i) => (res.statusCode === 200 ? [i] : []));
      expect(winners).toHaveLength(1);
      const losers = results.filter((r) => r.statusCode !== 200);
      expect(losers.map((r) => [r.statusCode, r.body])).toEqual(
        Array(CONCURRENT - 1).fill([409, '{"status":false,"error":{"code":5026,"message":"Password was changed by another request; retry with the current password"}}']),
      );
      const stored = (await h.getItem(userId))?.passwordHash as string;
      const winner = candidates[winners[0] ?? -1] ?? '';
      expect(await verifyPassword(winner, stored)).toBe(true);
      for (const loser of candidates.filter((c) => c !== winner)) expect(await verifyPassword(loser, stored)).toBe(false);
    });
  });
});
