/**
 * The floor `npm run bench` compares the function against: the least any password change must do,
 * with the same libraries and no framework. Verify the bearer token (jose, HS256, as the token
 * authorizer's floor does), read its user (GetItem), bcrypt-compare the old password, bcrypt-hash
 * the new one, and write it with one UpdateItem conditioned on the hash read. No body parsing, no
 * policy, no attempt counter, no history, no logging.
 *
 * Bundled by the bench with the same esbuild options as serverless.yml, and configured from the
 * same environment variables as the function, at module load, as the function is.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import bcrypt from 'bcryptjs';
import { jwtVerify } from 'jose';

const table = process.env.USERS_TABLE ?? '';
const cost = Number(process.env.BCRYPT_COST ?? 12);
const key = new TextEncoder().encode(process.env.JWT_SECRET ?? '');
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT }));

/** Milliseconds per step, filled in when the caller asks for them (the timed runs do not). */
export interface FloorTimings {
  /** Both calls, and the GetItem alone. */
  dynamo: number;
  dynamoRead: number;
  bcryptCompare: number;
  bcryptHash: number;
}

const timed = async <T>(timings: FloorTimings | undefined, phase: keyof FloorTimings, work: () => Promise<T>): Promise<T> => {
  if (timings === undefined) return work();
  const start = performance.now();
  try {
    return await work();
  } finally {
    timings[phase] += performance.now() - start;
  }
};

/** Changes the password of the token's user; false when the user is unknown or the old password or the write fails. */
export const changePassword = async (token: string, oldPassword: string, newPassword: string, timings?: FloorTimings): Promise<boolean> => {
  const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] });
  const userId = String(payload.sub);
  const before = timings?.dynamo ?? 0;
  const { Item } = await timed(timings, 'dynamo', () => doc.send(new GetCommand({ TableName: table, Key: { userId } })));
  if (timings !== undefined) timings.dynamoRead = timings.dynamo - before;
  const stored: unknown = Item?.passwordHash;
  if (typeof stored !== 'string') return false;
  if (!(await timed(timings, 'bcryptCompare', () => bcrypt.compare(oldPassword, stored)))) return false;
  const newHash = await timed(timings, 'bcryptHash', () => bcrypt.hash(newPassword, cost));
  try {
    await timed(timings, 'dynamo', () => doc.send(new UpdateCommand({
      TableName: table,
      Key: { userId },
      UpdateExpression: 'SET passwordHash = :new, passwordChangedAt = :at',
      ConditionExpression: 'passwordHash = :expected',
      ExpressionAttributeValues: { ':new': newHash, ':at': new Date().toISOString(), ':expected': stored },
    })));
    return true;
  } catch {
    return false;
  }
};
