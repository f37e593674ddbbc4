import { describe, expect, it } from 'vitest';
import { passwordChangedDetail } from '../../lib/core/password-changed-event.js';

/** The event's detail carries the other-sessions choice only where one was offered. */
const BASE = { changeId: 'c', userId: 'u', changedAt: '2026-12-07T00:00:00.000Z' };

describe('passwordChangedDetail and signOutOtherSessions', () => {
  it('keeps the choice, false included, after the other fields', () => {
    for (const choice of [false, true]) {
      const detail = passwordChangedDetail({ ...BASE, signOutOtherSessions: choice });
      expect(detail.signOutOtherSessions).toBe(choice);
      expect(Object.keys(detail).at(-1)).toBe('signOutOtherSessions');
    }
  });

  it('has no such key when no choice was offered, so the default detail is as it always was', () => {
    expect(passwordChangedDetail({ ...BASE, signOutOtherSessions: undefined })).not.toHaveProperty('signOutOtherSessions');
  });
});
