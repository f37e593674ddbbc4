import { describe, expect, it } from 'vitest';
import { ALL_TOKENS_VALID, issuedBeforePasswordChange, revokedByPasswordChange, tokensValidFrom } from '../../lib/core/stale-token.js';

/** The stale-token rule, as other services apply it: compared in whole seconds of `iat`. */
const CHANGED_AT = '2026-11-27T10:00:00.750Z';
const CHANGED_SECOND = Date.parse('2026-11-27T10:00:00Z') / 1000;

describe('issuedBeforePasswordChange', () => {
  it.each([
    ['a token issued a second before the change', CHANGED_SECOND - 1, CHANGED_AT, true],
    ['a token issued in the change’s second (iat has no finer unit)', CHANGED_SECOND, CHANGED_AT, false],
    ['a token issued after the change', CHANGED_SECOND + 1, CHANGED_AT, false],
    ['a token without iat once a change is recorded', undefined, CHANGED_AT, true],
    ['a token without iat for a user who never changed', undefined, undefined, false],
    ['any token for a user who never changed', 0, undefined, false],
    ['a token for a record whose change time is unreadable', CHANGED_SECOND - 1, 'not a date', false],
    ['a token without iat for a record whose change time is unreadable', undefined, 'not a date', false],
  ])('%s (iat %s, change %s): stale = %s', (_case, issuedAt, changedAt, stale) => {
    expect(issuedBeforePasswordChange(issuedAt, changedAt)).toBe(stale);
  });
});

describe('revokedByPasswordChange: the session that made the change keeps its tokens', () => {
  const changed = (by: string | undefined) => ({ passwordChangedAt: CHANGED_AT, passwordChangedBySession: by });

  it.each([
    ['an older token of the changing session', { issuedAt: CHANGED_SECOND - 1, sessionId: 'sid-a' }, changed('sid-a'), false],
    ['an older token without iat of the changing session', { issuedAt: undefined, sessionId: 'sid-a' }, changed('sid-a'), false],
    ['an older token of another session', { issuedAt: CHANGED_SECOND - 1, sessionId: 'sid-b' }, changed('sid-a'), true],
    ['an older token without sid', { issuedAt: CHANGED_SECOND - 1, sessionId: undefined }, changed('sid-a'), true],
    ['an older token with a sid, after a change made without one', { issuedAt: CHANGED_SECOND - 1, sessionId: 'sid-a' }, changed(undefined), true],
    ['a token issued since the change, of any session', { issuedAt: CHANGED_SECOND + 1, sessionId: 'sid-b' }, changed('sid-a'), false],
    ['a token of a user who never changed', { issuedAt: 0, sessionId: undefined }, { passwordChangedAt: undefined, passwordChangedBySession: undefined }, false],
  ])('%s: revoked = %s', (_case, token, state, revoked) => {
    expect(revokedByPasswordChange(token, state)).toBe(revoked);
  });
});

describe('revokedByPasswordChange with a recorded not-before (a change that kept the other sessions)', () => {
  const KEPT_FROM = '2026-11-01T00:00:00.000Z';
  const keptFromSecond = Date.parse(KEPT_FROM) / 1000;
  const state = { passwordChangedAt: CHANGED_AT, tokensValidFrom: KEPT_FROM, passwordChangedBySession: 'sid-a' };

  it('judges tokens by the not-before, not by the later change', () => {
    expect(tokensValidFrom(state)).toBe(KEPT_FROM);
    expect(revokedByPasswordChange({ issuedAt: CHANGED_SECOND - 60, sessionId: 'sid-b' }, state)).toBe(false);
    expect(revokedByPasswordChange({ issuedAt: keptFromSecond - 1, sessionId: 'sid-b' }, state)).toBe(true);
    expect(revokedByPasswordChange({ issuedAt: keptFromSecond - 1, sessionId: 'sid-a' }, state)).toBe(false);
  });

  it('takes the last change as the not-before when none is recorded, and the epoch revokes nothing', () => {
    expect(tokensValidFrom({ passwordChangedAt: CHANGED_AT, passwordChangedBySession: undefined })).toBe(CHANGED_AT);
    expect(revokedByPasswordChange({ issuedAt: 0, sessionId: undefined }, { ...state, tokensValidFrom: ALL_TOKENS_VALID })).toBe(false);
    expect(Date.parse(ALL_TOKENS_VALID)).toBe(0);
  });
});
