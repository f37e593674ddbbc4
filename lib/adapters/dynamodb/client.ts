import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

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
 * cuts off a connection that is not going to answer. A single call then gives up within 7.5 s
 * (3 × 1.5 s plus the longest backoff of either kind before each retry, 1 s + 2 s: the loose bound;
 * 4.6 s when every attempt times out, 3 s when every attempt is throttled). A request makes
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

/** Where the client connects; the timeouts and retries are {@link DYNAMO_LIMITS}. */
export interface DynamoClientOptions {
  /** Another DynamoDB API server (DYNAMODB_ENDPOINT); absent: AWS's, in the function's region, with its role. */
  endpoint?: string | undefined;
  /** With an endpoint: the region to sign for (default `local`). */
  region?: string | undefined;
  /** With an endpoint: sign with placeholder credentials, for a local server when none are set (default true). */
  placeholderCredentials?: boolean | undefined;
}

/** Builds the DynamoDB client every table of this service is spoken to through. */
export const createDynamoClient = ({ endpoint, region, placeholderCredentials }: DynamoClientOptions = {}): DynamoDBClient => {
  const local = endpoint === undefined ? {} : {
    endpoint,
    region: region ?? 'local',
    ...(placeholderCredentials === false ? {} : {
      credentials: {
        accessKeyId: 'local',
        // Stryker disable next-line StringLiteral: no local server checks the signature; DynamoDB Local keys its data by key id and region only
        secretAccessKey: 'local',
      },
    }),
  };
  return new DynamoDBClient({
    ...local,
    // Without throwOnRequestTimeout the SDK only warns.
    maxAttempts: DYNAMO_LIMITS.maxAttempts,
    requestHandler: { connectionTimeout: DYNAMO_LIMITS.connectionTimeoutMs, requestTimeout: DYNAMO_LIMITS.requestTimeoutMs, throwOnRequestTimeout: true },
  });
};

/** Builds the DocumentClient the user store speaks through. */
export const createDocumentClient = (options: DynamoClientOptions = {}, client: DynamoDBClient = createDynamoClient(options)): DynamoDBDocumentClient => {
  // Stryker disable next-line ObjectLiteral,BooleanLiteral: the user store never writes an undefined value, so the option never acts
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
};
