import { describe, expect, it } from 'vitest';
import { parseChangePasswordBody, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS } from '../../lib/http/request-schema.js';

/** The body's two fields: 8 to 128 code points each, well-formed, no control characters; one reason per field, never its value. */
const OLD = 'CurrentSecureP@ss123';
const errors = (newPassword: unknown) => {
  const parsed = parseChangePasswordBody({ oldPassword: OLD, newPassword });
  return parsed.ok ? [] : parsed.fieldErrors;
};

describe('parseChangePasswordBody', () => {
  it.each([
    ['8 characters', 'x'.repeat(PASSWORD_MIN_CHARS)],
    ['128 characters', 'x'.repeat(PASSWORD_MAX_CHARS)],
    ['128 code points of two UTF-16 units each', '😀'.repeat(PASSWORD_MAX_CHARS)],
  ])('accepts %s', (_case, newPassword) => {
    expect(parseChangePasswordBody({ oldPassword: OLD, newPassword })).toEqual({ ok: true, body: { oldPassword: OLD, newPassword } });
  });

  it.each([
    ['7 characters', 'x'.repeat(PASSWORD_MIN_CHARS - 1), 'newPassword:tooShort'],
    ['129 characters', 'x'.repeat(PASSWORD_MAX_CHARS + 1), 'newPassword:tooLong'],
    ['129 code points', '😀'.repeat(PASSWORD_MAX_CHARS + 1), 'newPassword:tooLong'],
    ['a number', 42, 'newPassword:notString'],
    ['nothing', undefined, 'newPassword:required'],
  ])('refuses %s', (_case, newPassword, reason) => {
    expect(errors(newPassword)).toEqual([reason]);
  });

  it('gives one reason per field, the first that applies: a short password with a newline is refused for its characters', () => {
    expect(errors('Ab\n1')).toEqual(['newPassword:invalidCharacters']);
  });
});
