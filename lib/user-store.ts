import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DYNAMO_LIMITS } from './dynamo-limits.js';
import { AppError } from './errors.js';
import type { Attempt, AttemptLimits, PasswordReplacement, UserCredentials, UserStore } from './ports.js';

const PERSONAL_ATTRIBUTES = ['email', 'username', 'name', 'displayName'] as const;
/** The brute-force counter: old-password checks taken in the window that started at ATTEMPTS_SINCE (epoch s). */
const ATTEMPTS = 'oldPasswordAttempts';
const ATTEMPTS_SINCE = 'oldPasswordAttemptsSince';

const toCredentials = (userId: string, item: Record<string, unknown>): UserCredentials => {
  const text = (key: string): string | undefined => (typeof item[key] === 'string' ? item[key] : undefined);
  const history = Array.isArray(item.passwordHistory) ? item.passwordHistory.filter((h): h is string => typeof h === 'string') : [];
  return {
    userId,
    passwordHash: text('passwordHash'),
    passwordChangedAt: text('passwordChangedAt'),
    passwordHistory: history,
    attributes: PERSONAL_ATTRIBUTES.map(text).filter((a): a is string => a !== undefined && a !== ''),
  };
};

/**
 * An SDK failure is DynamoDB's (network, throttling, 5xx): 503, retryable. A ValidationException
 * is a request this code built wrongly: 500. The cause keeps the error name and status, no data.
 */
const dependencyFailure = (error: unknown): AppError => {
  const name = error instanceof Error ? error.name : 'UnknownError';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return new AppError(name === 'ValidationException' ? 'INTERNAL' : 'SERVICE_UNAVAILABLE', { cause: { dependency: 'dynamodb', name, status } });
};

/** Options for the DynamoDB client; the timeouts bound how long a sick DynamoDB can hold a request. */
export interface DynamoOptions {
  endpoint?: string | undefined;
}

/** Builds the DocumentClient. A local endpoint gets placeholder credentials and region if none are set. */
export const createDocumentClient = ({ endpoint }: DynamoOptions = {}): DynamoDBDocumentClient => {
  const local = endpoint === undefined ? {} : {
    endpoint,
    region: process.env.AWS_REGION ?? 'local',
    ...(process.env.AWS_ACCESS_KEY_ID ? {} : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  };
  const client = new DynamoDBClient({
    ...local,
    // Bounds and their worst case: lib/dynamo-limits.ts. Without throwOnRequestTimeout the SDK only warns.
    maxAttempts: DYNAMO_LIMITS.maxAttempts,
    requestHandler: { connectionTimeout: DYNAMO_LIMITS.connectionTimeoutMs, requestTimeout: DYNAMO_LIMITS.requestTimeoutMs, throwOnRequestTimeout: true },
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
};

/** The DynamoDB adapter: table partition key `userId` (S), password hash in `passwordHash` (S). */
export class DynamoUserStore implements UserStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async beginAttempt(userId: string, now: Date, { maxAttempts, windowSeconds }: AttemptLimits): Promise<Attempt> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const expiredAtOrBefore = nowSeconds - windowSeconds;
    // DynamoDB update expressions cannot branch, so there are two writes, each guarded by the exact
    // invariant: a new window when none is running, else one more attempt while under the limit.
    // Concurrent requests therefore never take more than maxAttempts checks per window.
    for (let round = 0; round < 3; round += 1) {
      const fresh = await this.conditionalUpdate(userId, {
        UpdateExpression: 'SET #count = :one, #since = :now',
        ConditionExpression: 'attribute_exists(userId) AND (attribute_not_exists(#since) OR #since <= :expired)',
        ExpressionAttributeValues: { ':one': 1, ':now': nowSeconds, ':expired': expiredAtOrBefore },
      });
      if (fresh) return { user: toCredentials(userId, fresh), windowStart: nowSeconds };
      const counted = await this.conditionalUpdate(userId, {
        UpdateExpression: 'SET #count = #count + :one',
        ConditionExpression: 'attribute_exists(userId) AND #since > :expired AND #count < :max',
        ExpressionAttributeValues: { ':one': 1, ':expired': expiredAtOrBefore, ':max': maxAttempts },
      });
      if (counted) return { user: toCredentials(userId, counted), windowStart: Number(counted[ATTEMPTS_SINCE]) };
      const current = await this.read(userId);
      if (current === undefined) throw new AppError('ENTITY_NOT_FOUND');
      const since = Number(current[ATTEMPTS_SINCE]);
      if (since > expiredAtOrBefore && Number(current[ATTEMPTS]) >= maxAttempts) {
        throw new AppError('TOO_MANY_ATTEMPTS', { retryAfterSeconds: Math.max(1, since + windowSeconds - nowSeconds) });
      }
      // The window ended between the writes: go round again.
    }
    throw new AppError('SERVICE_UNAVAILABLE', { cause: { dependency: 'dynamodb', reason: 'attempt counter kept moving' } });
  }

  async releaseAttempt(userId: string, windowStart: number): Promise<void> {
    await this.conditionalUpdate(userId, {
      UpdateExpression: 'SET #count = #count - :one',
      ConditionExpression: '#since = :since AND #count > :zero',
      ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':since': windowStart },
    }, 'NONE');
  }

  async replacePasswordHash({ userId, expectedHash, newHash, changedAt, history }: PasswordReplacement): Promise<void> {
    const written = await this.conditionalUpdate(userId, {
      // UpdateItem, never PutItem: attributes this service does not own are left as they are.
      UpdateExpression: 'SET passwordHash = :new, passwordChangedAt = :at, passwordHistory = :history REMOVE #count, #since',
      // Only over the hash that was verified; this also fails (no upsert) if the item is gone.
      ConditionExpression: 'passwordHash = :expected',
      ExpressionAttributeValues: { ':new': newHash, ':at': changedAt.toISOString(), ':history': history, ':expected': expectedHash },
    }, 'NONE');
    if (written) return;
    // Lost the race, or the record was deleted meanwhile: tell which, for the right answer.
    const current = await this.read(userId);
    // Our own write already landed (its response was lost and the SDK retried it): success.
    if (current?.passwordHash === newHash) return;
    throw new AppError(current === undefined ? 'ENTITY_NOT_FOUND' : 'CONCURRENT_CHANGE');
  }

  /** A consistent read of the whole record, or undefined. */
  private async read(userId: string): Promise<Record<string, unknown> | undefined> {
    try {
      return (await this.doc.send(new GetCommand({ TableName: this.table, Key: { userId }, ConsistentRead: true }))).Item;
    } catch (error) {
      throw dependencyFailure(error);
    }
  }

  /** An UpdateItem that returns the new record (`{}` with 'NONE'), or undefined when its condition did not hold. */
  private async conditionalUpdate(
    userId: string,
    input: { UpdateExpression: string; ConditionExpression: string; ExpressionAttributeValues: Record<string, unknown> },
    returnValues: 'ALL_NEW' | 'NONE' = 'ALL_NEW',
  ): Promise<Record<string, unknown> | undefined> {
    const names = { '#count': ATTEMPTS, '#since': ATTEMPTS_SINCE };
    const used = Object.fromEntries(Object.entries(names).filter(([alias]) => `${input.UpdateExpression} ${input.ConditionExpression}`.includes(alias)));
    try {
      const { Attributes } = await this.doc.send(new UpdateCommand({
        TableName: this.table,
        Key: { userId },
        ...input,
        ...(Object.keys(used).length > 0 ? { ExpressionAttributeNames: used } : {}),
        ReturnValues: returnValues,
      }));
      return Attributes ?? {};
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw dependencyFailure(error);
    }
  }
}
