import * as v from 'valibot';
import { codePointLength } from '../core/policy/password-rule.js';

/** The contract's limits for both fields, in Unicode code points. */
export const PASSWORD_MIN_CHARS = 8;
export const PASSWORD_MAX_CHARS = 128;

const password = v.pipe(
  v.string('notString'),
  // Lone surrogates have no UTF-8 form and control characters (NUL, newline…) are invisible and
  // mangled by clients and terminals: neither belongs in a password.
  v.check((s) => s.isWellFormed() && !/\p{Cc}/u.test(s), 'invalidCharacters'),
  v.check((s) => codePointLength(s) >= PASSWORD_MIN_CHARS, 'tooShort'),
  v.check((s) => codePointLength(s) <= PASSWORD_MAX_CHARS, 'tooLong'),
);

/** The request body. Unknown keys are ignored; in particular nothing in it can choose the user. */
export const ChangePasswordBody = v.object({ oldPassword: password, newPassword: password });
export type ChangePasswordBody = v.InferOutput<typeof ChangePasswordBody>;

/**
 * Parses the body, or returns `field:reason` strings (e.g. "newPassword:tooShort",
 * "oldPassword:required") that name the problem without echoing any value.
 */
export const parseChangePasswordBody = (input: Record<string, unknown>): { ok: true; body: ChangePasswordBody } | { ok: false; fieldErrors: string[] } => {
  const result = v.safeParse(ChangePasswordBody, input, { abortPipeEarly: true });
  if (result.success) return { ok: true, body: result.output };
  const fieldErrors = result.issues.map((issue) => {
    // Stryker disable next-line StringLiteral: the body is an object by now (objectBody), so every issue has a field's path
    const field = v.getDotPath(issue) ?? 'body';
    return `${field}:${issue.input === undefined ? 'required' : issue.message}`;
  });
  return { ok: false, fieldErrors };
};
