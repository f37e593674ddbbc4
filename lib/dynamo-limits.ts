/**
 * How long a sick DynamoDB can hold one SDK call, and why these numbers.
 *
 * The SDK (v3, @smithy/node-http-handler 4.x, standard retry mode) behaves like this:
 * - `requestTimeout` is enforced ONLY with `throwOnRequestTimeout: true`; without it the handler
 *   merely logs a warning and a server that accepts and never answers holds the call forever.
 *   Its timer starts when the request is created, so it bounds connect + send + wait per attempt.
 * - `connectionTimeout` gives up sooner on a host that drops SYNs.
 * - Timeouts, ECONNREFUSED/ECONNRESET and 5xx are retried with `random × 25 ms × 2^i` backoff
 *   (DynamoDB's base); throttling errors with `random × 1000 ms × 2^i`. A `Retry-After` header
 *   may add up to 5 s per retry; DynamoDB does not send one.
 * - A retry costs tokens from a per-client bucket (500; 14 per transient retry, 5 per throttle);
 *   during a long outage the bucket empties and calls fail after a single attempt.
 *
 * One DynamoDB round trip inside a region takes milliseconds, so 1.5 s per attempt only ever
 * cuts off a connection that is not going to answer. A single call then gives up within
 * {@link worstCaseCallMs} (7.5 s, the loose bound that allows a throttle backoff after every
 * attempt; 4.6 s when every attempt times out, 3 s when every attempt is throttled). A request makes
 * at most three calls in sequence (read, conditional write, re-read after a lost race), so the hard
 * bound on the whole request is not this but the Lambda deadline: middy answers 503 at
 * `timeout − 500 ms` (9.5 s with serverless.yml's 10 s) whatever is still pending.
 */
export const DYNAMO_LIMITS = {
  /** The first attempt and two retries. */
  maxAttempts: 3,
  connectionTimeoutMs: 1000,
  requestTimeoutMs: 1500,
  /** The SDK's backoff bases (not configurable through the client options; stated for the bound). */
  transientBackoffBaseMs: 25,
  throttlingBackoffBaseMs: 1000,
} as const;

/**
 * Upper bound on one SDK call when every attempt takes its full request timeout and every retry
 * waits the longest backoff of either kind (no Retry-After header).
 */
export const worstCaseCallMs = (limits: typeof DYNAMO_LIMITS = DYNAMO_LIMITS): number => {
  let backoff = 0;
  for (let retry = 0; retry < limits.maxAttempts - 1; retry++) {
    backoff += Math.max(limits.transientBackoffBaseMs, limits.throttlingBackoffBaseMs) * 2 ** retry;
  }
  return limits.maxAttempts * limits.requestTimeoutMs + backoff;
};
