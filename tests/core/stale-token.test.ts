import { describe, expect, it } from 'vitest';
import { issuedBeforePasswordChange } from '../../lib/core/stale-token.js';

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
