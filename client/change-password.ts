/**
 * A typed client for POST /v1/users/profile/change-password, for apps (browsers, Node ≥ 20.3):
 * fetch only, no other runtime dependency than valibot. Every answer of the function comes back
 * as a value, never thrown; only a failed transport (no connection, timeout, or an answer that is
 * not this API's, such as API Gateway's own 429 throttle or 502) throws a
 * {@link ChangePasswordClientError}. Neither the passwords nor the token ever appear in a result
 * or an error.
 */
import * as v from 'valibot';
import type { ChangePasswordBody } from '../lib/http/request-schema.js';
import type { ERRORS } from '../lib/core/errors.js';
import type { CharacterClass } from '../lib/core/policy/password-rule.js';
import type { PublishedPolicy } from '../lib/core/policy/published-policy.js';
import type { StepUpReason } from '../lib/core/step-up.js';
import { CHANGE_PASSWORD_ROUTE, PASSWORD_POLICY_ROUTE } from '../lib/http/routes.js';

/**
 * The request body: the same type the function parses (lib/http/request-schema.ts).
 * `signOutOtherSessions` (default true) is read when the deployment lets users choose
 * (OTHER_SESSIONS_ON_CHANGE=user-choice); `false` keeps the user's other devices signed in.
 */
export type ChangePasswordInput = ChangePasswordBody & { signOutOtherSessions?: boolean };

/** The rules a change is judged by, as GET /v1/password-policy answers them (docs/api.md). */
export type PasswordPolicy = PublishedPolicy;

/** Every error code the function answers with (lib/core/errors.ts; docs/openapi.yaml). */
export type ChangePasswordErrorCode = (typeof ERRORS)[keyof typeof ERRORS]['code'];

/** Why a 4003 refused the token: `mfaRequired`, sign in with a second factor; `reauthenticationRequired`, sign in again. */
export type { StepUpReason };

const SuccessEnvelope = v.object({ status: v.literal(true), data: v.object({ passwordChanged: v.literal('OK') }) });
const ErrorEnvelope = v.object({
  status: v.literal(false),
  error: v.object({
    code: v.pipe(v.number(), v.integer()),
    message: v.string(),
    details: v.optional(v.object({
      fieldErrors: v.optional(v.array(v.string())),
      failedRules: v.optional(v.array(v.string())),
      minLength: v.optional(v.number()),
      reason: v.optional(v.string()),
    })),
  }),
});

const CLASS = v.picklist(['lower', 'upper', 'digit', 'symbol']);
const COUNT = v.pipe(v.number(), v.integer(), v.minValue(0));
const PolicyEnvelope = v.object({
  status: v.literal(true),
  data: v.object({
    minLength: COUNT,
    minLengthWithMfa: COUNT,
    maxLength: COUNT,
    requiredClasses: v.array(CLASS),
    characterClasses: v.object({ lower: v.string(), upper: v.string(), digit: v.string(), symbol: v.string() }),
    minUniqueChars: COUNT,
    minStrength: COUNT,
    historySize: COUNT,
    commonPasswordCheck: v.boolean(),
    personalInfoCheck: v.boolean(),
    breachedPasswordCheck: v.object({ bundledList: v.boolean(), pwnedPasswords: v.boolean() }),
    ruleIds: v.array(v.string()),
  }),
});

/**
 * The rules of the policy an app can check before sending (length, character classes, distinct
 * characters), as the server does: on the NFC form, counting code points, with the policy's own
 * class patterns. Returns the failed rule ids in the server's order; the server alone judges the
 * rest (common, personal, breached passwords, strength, history). `mfaEnrolled`: the user signs
 * in with a second factor, so `minLengthWithMfa` applies.
 */
export const checkPasswordLocally = (policy: PasswordPolicy, password: string, { mfaEnrolled = false }: { mfaEnrolled?: boolean } = {}): string[] => {
  const characters = [...password.normalize('NFC')];
  const minLength = mfaEnrolled ? policy.minLengthWithMfa : policy.minLength;
  const text = characters.join('');
  const missing = policy.requiredClasses.filter((cls: CharacterClass) => !new RegExp(policy.characterClasses[cls], 'u').test(text));
  return [
    ...(characters.length < minLength ? ['minLength'] : []),
    ...missing,
    ...(new Set(characters).size < policy.minUniqueChars ? ['minUniqueChars'] : []),
  ];
};

export type ChangePasswordResult =
  | { ok: true; status: 200; data: { passwordChanged: 'OK' } }
  | {
      ok: false;
      /** HTTP status: 400, 401, 403, 404, 405, 409, 413, 415, 500, 503 (or a later addition). */
      status: number;
      error: {
        /** Typed with the known codes; a newer server may send one this client does not list yet. */
        code: ChangePasswordErrorCode | (number & {});
        message: string;
        /** `reason` (4003): `mfaRequired` or `reauthenticationRequired`, or a later addition. */
        /** `minLength` (5025): the minimum that applied to this user, when it depends on their second factor. */
        details?: { fieldErrors?: string[]; failedRules?: string[]; minLength?: number; reason?: StepUpReason | (string & {}) };
      };
      /** Seconds to wait before retrying, from Retry-After (503). */
      retryAfterSeconds?: number;
    };

/** Why the call did not produce an answer of this API. */
export type TransportFailure = 'network' | 'timeout' | 'aborted' | 'unexpected-response';

/** A failed transport. `status` is set for 'unexpected-response' (e.g. 429 from the API Gateway throttle). */
export class ChangePasswordClientError extends Error {
  constructor(
    readonly kind: TransportFailure,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ChangePasswordClientError';
  }
}

export interface ChangePasswordClientOptions {
  /** Where the API is, e.g. https://api.example.com or http://localhost:3000. */
  baseUrl: string;
  /** Abort a call after this many milliseconds (default 10 000). */
  timeoutMs?: number;
  /** Injected fetch (tests, instrumentation); defaults to the global one. */
  fetch?: typeof fetch;
}

/** Builds the client. `changePassword(input, token)` sends `Authorization: Bearer <token>`. */
export const createChangePasswordClient = ({ baseUrl, timeoutMs = 10_000, fetch: fetchFn = globalThis.fetch }: ChangePasswordClientOptions) => {
  const { method, path } = CHANGE_PASSWORD_ROUTE;
  const urlOf = (routePath: string) => new URL(routePath, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).toString();
  const url = urlOf(path);
  const policyUrl = urlOf(PASSWORD_POLICY_ROUTE.path);

  /** fetch within the timeout and the caller's signal; a failed transport throws, naming only the error (its message can carry the request). */
  const send = async (verb: string, target: string, init: RequestInit, signal: AbortSignal | undefined): Promise<Response> => {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      return await fetchFn(target, { ...init, method: verb, signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]) });
    } catch (error) {
      const name = (error as Error).name;
      if (signal?.aborted === true) throw new ChangePasswordClientError('aborted', `${verb} ${target} was aborted by the caller`);
      if (timeout.aborted) throw new ChangePasswordClientError('timeout', `${verb} ${target} timed out after ${timeoutMs} ms`);
      throw new ChangePasswordClientError('network', `${verb} ${target} failed: ${name}`, undefined, { cause: { name } });
    }
  };

  const changePassword = async (input: ChangePasswordInput, token: string | undefined, { signal }: { signal?: AbortSignal } = {}): Promise<ChangePasswordResult> => {
    const res = await send(method, url, {
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ oldPassword: input.oldPassword, newPassword: input.newPassword, signOutOtherSessions: input.signOutOtherSessions }),
    }, signal);

    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new ChangePasswordClientError('unexpected-response', `${method} ${url} answered ${res.status} without a JSON body`, res.status);
    }
    const success = v.safeParse(SuccessEnvelope, body);
    if (res.status === 200 && success.success) return { ok: true, status: 200, data: success.output.data };
    const failure = v.safeParse(ErrorEnvelope, body);
    if (res.status >= 400 && failure.success) {
      const retryAfter = Number(res.headers.get('retry-after') ?? Number.NaN);
      return { ok: false, status: res.status, error: failure.output.error, ...(Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : {}) };
    }
    throw new ChangePasswordClientError('unexpected-response', `${method} ${url} answered ${res.status} with a body that is not this API's envelope`, res.status);
  };

  /**
   * The rules in force (no token). Throws {@link ChangePasswordClientError} when there is no
   * answer of this API; the answer is cacheable (`Cache-Control: public, max-age=300`).
   */
  const getPasswordPolicy = async ({ signal }: { signal?: AbortSignal } = {}): Promise<PasswordPolicy> => {
    const res = await send(PASSWORD_POLICY_ROUTE.method, policyUrl, { headers: { Accept: 'application/json' } }, signal);
    const parsed = v.safeParse(PolicyEnvelope, await res.json().catch(() => undefined));
    if (res.status === 200 && parsed.success) return parsed.output.data;
    throw new ChangePasswordClientError('unexpected-response', `GET ${policyUrl} answered ${res.status} without the password policy`, res.status);
  };

  return { url, changePassword, getPasswordPolicy };
};

export type ChangePasswordClient = ReturnType<typeof createChangePasswordClient>;
