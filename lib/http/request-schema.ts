import * as v from 'valibot';
import { codePointLength } from '../core/policy/password-rule.js';

/** The contract's limits for both fields, in Unicode code points. */
export const PASSWORD_MIN_CHARS = 8;
export const PASSWORD_MAX_CHARS = 128;

/**
 * Why a field was refused: the `reason` of a `field:reason` in `details.fieldErrors`, in the order
 * they are checked (docs/openapi.yaml lists them; tests/project/one-source.test.ts holds it to this).
 */
export const FIELD_ERROR_REASONS = ['required', 'notString', 'notBoolean', 'invalidCharacters', 'tooShort', 'tooLong'] as const;
type FieldErrorReason = (typeof FIELD_ERROR_REASONS)[number];
const reason = (name: FieldErrorReason): FieldErrorReason => name;

const password = v.pipe(
  v.string(reason('notString')),
  // Lone surrogates have no UTF-8 form and control characters (NUL, newline…) are invisible and
  // mangled by clients and terminals: neither belongs in a password.
  v.check((s) => s.isWellFormed() && !/\p{Cc}/u.test(s), reason('invalidCharacters')),
  v.check((s) => codePointLength(s) >= PASSWORD_MIN_CHARS, reason('tooShort')),
  v.check((s) => codePointLength(s) <= PASSWORD_MAX_CHARS, reason('tooLong')),
);

/** The request body. Unknown keys are ignored; in particular nothing in it can choose the user. */
export const ChangePasswordBody = v.object({ oldPassword: password, newPassword: password });
export type ChangePasswordBody = v.InferOutput<typeof ChangePasswordBody>;

/** The body under OTHER_SESSIONS_ON_CHANGE=user-choice: the request may keep the other sessions. */
export const ChangePasswordBodyWithChoice = v.object({ ...ChangePasswordBody.entries, signOutOtherSessions: v.optional(v.boolean(reason('notBoolean')), true) });
export type ChangePasswordBodyWithChoice = v.InferOutput<typeof ChangePasswordBodyWithChoice>;

/**
 * Parses the body, or returns `field:reason` strings (e.g. "newPassword:tooShort",
 * "oldPassword:required", "signOutOtherSessions:notBoolean") that name the problem without
 * echoing any value. `withChoice`: `signOutOtherSessions` is read (else ignored, as any unknown key).
 */
export const parseChangePasswordBody = (input: Record<string, unknown>, withChoice = false): { ok: true; body: ChangePasswordBody & Partial<ChangePasswordBodyWithChoice> } | { ok: false; fieldErrors: string[] } => {
  const result = v.safeParse(withChoice ? ChangePasswordBodyWithChoice : ChangePasswordBody, input, { abortPipeEarly: true });
  if (result.success) return { ok: true, body: result.output };
  const fieldErrors = result.issues.map((issue) => {
    // Stryker disable next-line StringLiteral: the body is an object by now (objectBody), so every issue has a field's path
    const field = v.getDotPath(issue) ?? 'body';
    return `${field}:${issue.input === undefined ? reason('required') : issue.message}`;
  });
  return { ok: false, fieldErrors };
};
