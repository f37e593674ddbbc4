import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DYNAMO_LIMITS } from './dynamo-limits.js';
import { AppError } from './errors.js';

/** What the use case needs to know about a user to change their password. */
export interface UserCredentials {
  userId: string;
  /** Absent for a user who has no password (e.g. federated sign-in only). */
  passwordHash: string | undefined;
  passwordChangedAt: string | undefined;
  /** Personal attributes a policy rule may refuse passwords built on. */
  attributes: string[];
}

export interface PasswordReplacement {
  userId: string;
  /** The hash that was verified; the write happens only if it is still the stored one. */
  expectedHash: string;
  newHash: string;
  changedAt: Date;
}

/** The user store port: the use case depends on this, not on DynamoDB. */
export interface UserStore {
  findCredentials(userId: string): Promise<UserCredentials | undefined>;
  /**
   * Swaps the hash if and only if the record still holds `expectedHash`. Throws AppError
   * CONCURRENT_CHANGE when another change won, ENTITY_NOT_FOUND when the record is gone.
   */
  replacePasswordHash(change: PasswordReplacement): Promise<void>;
}

const PERSONAL_ATTRIBUTES = ['email', 'username', 'name', 'displayName'] as const;

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

  async findCredentials(userId: string): Promise<UserCredentials | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      ({ Item: item } = await this.doc.send(new GetCommand({
        TableName: this.table,
        Key: { userId },
        ConsistentRead: true,
        ProjectionExpression: '#u, passwordHash, passwordChangedAt, email, username, #n, displayName',
        ExpressionAttributeNames: { '#u': 'userId', '#n': 'name' },
      })));
    } catch (error) {
      throw dependencyFailure(error);
    }
    if (item === undefined) return undefined;
    const text = (key: string): string | undefined => (typeof item[key] === 'string' ? item[key] : undefined);
    return {
      userId,
      passwordHash: text('passwordHash'),
      passwordChangedAt: text('passwordChangedAt'),
      attributes: PERSONAL_ATTRIBUTES.map(text).filter((a): a is string => a !== undefined && a !== ''),
    };
  }

  async replacePasswordHash({ userId, expectedHash, newHash, changedAt }: PasswordReplacement): Promise<void> {
    try {
      await this.doc.send(new UpdateCommand({
        TableName: this.table,
        Key: { userId },
        // UpdateItem, never PutItem: attributes this service does not own are left as they are.
        UpdateExpression: 'SET passwordHash = :new, passwordChangedAt = :at',
        // Only over the hash that was verified; this also fails (no upsert) if the item is gone.
        ConditionExpression: 'passwordHash = :expected',
        ExpressionAttributeValues: { ':new': newHash, ':at': changedAt.toISOString(), ':expected': expectedHash },
      }));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw dependencyFailure(error);
      // Lost the race, or the record was deleted meanwhile: tell which, for the right answer.
      const current = await this.findCredentials(userId);
      // Our own write already landed (its response was lost and the SDK retried it): success.
      if (current?.passwordHash === newHash) return;
      throw new AppError(current === undefined ? 'ENTITY_NOT_FOUND' : 'CONCURRENT_CHANGE');
    }
  }
}
