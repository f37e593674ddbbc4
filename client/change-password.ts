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
import type { StepUpReason } from '../lib/core/step-up.js';
import { CHANGE_PASSWORD_ROUTE } from '../lib/http/routes.js';

/** The request body: the same type the function parses (lib/http/request-schema.ts). */
export type ChangePasswordInput = ChangePasswordBody;

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
      reason: v.optional(v.string()),
    })),
  }),
});

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
        details?: { fieldErrors?: string[]; failedRules?: string[]; reason?: StepUpReason | (string & {}) };
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
  const url = new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).toString();

  const changePassword = async (input: ChangePasswordInput, token: string | undefined, { signal }: { signal?: AbortSignal } = {}): Promise<ChangePasswordResult> => {
    const timeout = AbortSignal.timeout(timeoutMs);
    let res: Response;
    try {
      res = await fetchFn(url, {
        method,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }) },
        body: JSON.stringify({ oldPassword: input.oldPassword, newPassword: input.newPassword }),
        signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
      });
    } catch (error) {
      // Only the error's name as cause: a fetch error message can carry the request.
      const name = (error as Error).name;
      if (signal?.aborted === true) throw new ChangePasswordClientError('aborted', `${method} ${url} was aborted by the caller`);
      if (timeout.aborted) throw new ChangePasswordClientError('timeout', `${method} ${url} timed out after ${timeoutMs} ms`);
      throw new ChangePasswordClientError('network', `${method} ${url} failed: ${name}`, undefined, { cause: { name } });
    }

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

  return { url, changePassword };
};

export type ChangePasswordClient = ReturnType<typeof createChangePasswordClient>;
