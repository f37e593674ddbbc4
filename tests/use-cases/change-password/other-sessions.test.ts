import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { tokenAuthorizerHandler } from '../../../lib/compose.js';
import { loadUserAccess } from '../../../lib/config/user-access.js';
import { DEV_JWT_SECRET } from '../../../lib/config/variables.js';
import type { PendingEvent } from '../../../lib/core/password-changed.js';
import { apiEvent, lambdaContext, SEED_NEW, SEED_OLD, useHarness, withoutCounter, type Harness } from '../../support/harness.js';
import { claims, DEV_SECRET_KEY, signToken } from '../../support/tokens.js';

/**
 * OTHER_SESSIONS_ON_CHANGE through the real handler and the real token authorizer on the same
 * table: under `user-choice` the body's `signOutOtherSessions: false` keeps tokens issued before
 * the change valid, on the change route and behind the authorizer; `true` (the default) and the
 * `sign-out` mode end them as before. The 200 answer is the contract's either way.
 */
const OK = '{"status":true,"data":{"passwordChanged":"OK"}}';
const THIRD = 'Third-Secure-P@ss9';
const FOURTH = 'Fourth-Secure-P@ss8';
const token = (sub: string, iat: number, sid?: string) => signToken(claims(sub, { iat, sid }), DEV_SECRET_KEY, 'HS256');
const change = (h: Harness, bearer: string, oldPassword: string, newPassword: string, signOutOtherSessions?: unknown) =>
  h.invoke(apiEvent({ token: bearer, body: { oldPassword, newPassword, signOutOtherSessions } }));

/** The token authorizer of a deployment with `env`, on the harness's table. */
const authorizer = (h: Harness, env: Record<string, string>) => {
  const handler = tokenAuthorizerHandler(loadUserAccess({ USERS_TABLE: h.table, DYNAMODB_ENDPOINT: h.endpoint, JWT_SECRET: DEV_JWT_SECRET, ...env }));
  return async (bearer: string): Promise<boolean> => {
    const event = { version: '2.0', type: 'REQUEST', headers: { authorization: `Bearer ${bearer}` }, identitySource: [`Bearer ${bearer}`], requestContext: { requestId: 'other-sessions' } };
    return (await handler(event as unknown as APIGatewayRequestAuthorizerEventV2, lambdaContext())).isAuthorized;
  };
};

/** The change's PasswordChanged event, as its write recorded it on the user's record (the outbox). */
const recordedEvent = async (h: Harness, userId: string) => ((await h.getItem(userId))?.pendingPasswordChanged as PendingEvent[] | undefined)?.at(-1);

describe('OTHER_SESSIONS_ON_CHANGE=user-choice', () => {
  const { clock, h } = useHarness({}, { env: { OTHER_SESSIONS_ON_CHANGE: 'user-choice', EVENT_BUS_NAME: 'platform-bus' } });
  const allowed = (bearer: string) => authorizer(h, { OTHER_SESSIONS_ON_CHANGE: 'user-choice' })(bearer);

  it('keeps the other sessions with signOutOtherSessions false: their older tokens still pass the authorizer and change the password', async () => {
    const { userId } = await h.seedUser();
    const issued = clock.seconds() - 60;
    const phone = await token(userId, issued, 'sid-phone');
    const laptop = await token(userId, issued, 'sid-laptop');
    const noSid = await token(userId, issued);
    const before = await h.getItem(userId);

    const kept = await change(h, phone, SEED_OLD, SEED_NEW, false);

    expect(kept.body).toBe(OK);
    const after = await h.getItem(userId);
    expect(after?.passwordChangedAt).not.toBe(before?.passwordChangedAt);
    // The two facts apart: the password changed now, the tokens stay valid from the beginning.
    expect(after?.tokensValidFrom).toBe(new Date(0).toISOString());
    for (const other of [phone, laptop, noSid]) expect(await allowed(other)).toBe(true);
    clock.advance(1000);
    expect((await change(h, laptop, SEED_NEW, THIRD)).body).toBe(OK);
  });

  it('ends them by default (no field) and with true, as the sign-out mode does, the changing session excepted', async () => {
    for (const choice of [undefined, true]) {
      const { userId } = await h.seedUser();
      const issued = clock.seconds() - 60;
      const phone = await token(userId, issued, 'sid-phone');
      const laptop = await token(userId, issued, 'sid-laptop');

      expect((await change(h, phone, SEED_OLD, SEED_NEW, choice)).body).toBe(OK);

      expect(await h.getItem(userId)).not.toHaveProperty('tokensValidFrom');
      expect(await allowed(phone)).toBe(true);
      expect(await allowed(laptop)).toBe(false);
      expect((await change(h, laptop, SEED_NEW, THIRD)).statusCode).toBe(401);
    }
  });

  it('keeps an earlier sign-out in force: a later kept change revives no token that one ended, and keeps its session’s exception', async () => {
    const { userId } = await h.seedUser();
    const issued = clock.seconds() - 60;
    const phone = await token(userId, issued, 'sid-phone');
    const laptop = await token(userId, issued, 'sid-laptop');
    expect((await change(h, phone, SEED_OLD, SEED_NEW)).body).toBe(OK);
    const signedOutAt = (await h.getItem(userId))?.passwordChangedAt;

    clock.advance(2000);
    const tablet = await token(userId, clock.seconds() + 1, 'sid-tablet');
    expect((await change(h, tablet, SEED_NEW, THIRD, false)).body).toBe(OK);

    expect(await h.getItem(userId)).toMatchObject({ tokensValidFrom: signedOutAt, passwordChangedBySession: 'sid-phone' });
    expect(await allowed(laptop)).toBe(false);
    expect(await allowed(phone)).toBe(true);
    expect(await allowed(tablet)).toBe(true);
  });

  it('answers a lost-answer retry of a kept change with the original 200, changing nothing more', async () => {
    const { userId } = await h.seedUser();
    const mine = await token(userId, clock.seconds() - 60);
    expect((await change(h, mine, SEED_OLD, SEED_NEW, false)).body).toBe(OK);
    const stored = await h.getItem(userId);

    expect((await change(h, mine, SEED_OLD, SEED_NEW, false)).body).toBe(OK);
    expect(withoutCounter(await h.getItem(userId))).toEqual(withoutCounter(stored));
  });

  it('refuses another type than boolean with 400 1002 naming the field, and changes nothing', async () => {
    for (const value of ['false', 0, null, {}]) {
      const { userId, token: bearer } = await h.seedUser();
      const before = await h.getItem(userId);
      const refused = await change(h, bearer, SEED_OLD, SEED_NEW, value);
      expect(refused.body).toBe('{"status":false,"error":{"code":1002,"message":"Request body fields are invalid","details":{"fieldErrors":["signOutOtherSessions:notBoolean"]}}}');
      expect(await h.getItem(userId)).toEqual(before);
    }
  });

  it('says in the event and in the audit line which was chosen', async () => {
    const info = vi.spyOn(h.deps.logger, 'info');
    const chosen: (boolean | undefined)[] = [];
    for (const choice of [false, true]) {
      const { userId, token: bearer } = await h.seedUser();
      await change(h, bearer, SEED_OLD, SEED_NEW, choice);
      chosen.push((await recordedEvent(h, userId))?.signOutOtherSessions);
    }
    expect(chosen).toEqual([false, true]);
    const lines = info.mock.calls.filter(([, fields]) => (fields as { statusCode?: number } | undefined)?.statusCode === 200);
    expect(lines.map(([, fields]) => (fields as { otherSessions: string }).otherSessions)).toEqual(['kept', 'signedOut']);
    info.mockRestore();
  });
});

describe('OTHER_SESSIONS_ON_CHANGE unset (sign-out)', () => {
  const { clock, h } = useHarness({}, { env: { EVENT_BUS_NAME: 'platform-bus' } });
  const allowed = (bearer: string) => authorizer(h, {})(bearer);

  it('ignores signOutOtherSessions, whatever its value, as any unknown key: every other session ends', async () => {
    for (const value of [false, 'no']) {
      const { userId } = await h.seedUser();
      const issued = clock.seconds() - 60;
      const laptop = await token(userId, issued, 'sid-laptop');
      expect((await change(h, await token(userId, issued, 'sid-phone'), SEED_OLD, SEED_NEW, value)).body).toBe(OK);
      expect(await allowed(laptop)).toBe(false);
      // No choice was offered, so the event says none: its detail is as it always was.
      expect(await recordedEvent(h, userId)).not.toHaveProperty('signOutOtherSessions');
    }
  });

  it('ends the sessions a user kept while the option was on, once it is off', async () => {
    const { userId } = await h.seedUser();
    const laptop = await token(userId, clock.seconds() - 60, 'sid-laptop');
    await h.setAttributes(userId, { passwordChangedAt: new Date(clock.now().getTime() - 30_000).toISOString(), tokensValidFrom: new Date(0).toISOString() });

    expect(await authorizer(h, { OTHER_SESSIONS_ON_CHANGE: 'user-choice' })(laptop)).toBe(true);
    expect(await allowed(laptop)).toBe(false);
    expect((await change(h, laptop, SEED_OLD, FOURTH)).statusCode).toBe(401);
  });
});
