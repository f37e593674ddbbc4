/**
 * The floor `npm run bench:authorizer` compares the token authorizer against: the least any such
 * authorizer must do, with the same libraries and no framework. One jose HS256 verification and
 * one strongly consistent GetItem of the two attributes; no logger, no config parsing, no layers.
 * Bundled by the bench with the same esbuild options as serverless.yml, configured at module load.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { jwtVerify } from 'jose';

const table = process.env.USERS_TABLE ?? '';
const key = new TextEncoder().encode(process.env.JWT_SECRET ?? '');
// The region given outright, as the function's client does: no lookup in shared config files.
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT, region: process.env.AWS_REGION }));

export const handler = async (event: { headers: Record<string, string | undefined> }) => {
  const { payload } = await jwtVerify((event.headers.authorization ?? '').slice(7), key, { algorithms: ['HS256'] });
  const userId = String(payload.sub);
  const { Item } = await doc.send(new GetCommand({
    TableName: table,
    Key: { userId },
    ConsistentRead: true,
    ProjectionExpression: 'passwordChangedAt, passwordChangedBySession',
  }));
  const changedAt = typeof Item?.passwordChangedAt === 'string' ? Date.parse(Item.passwordChangedAt) / 1000 : 0;
  return { isAuthorized: Item !== undefined && (payload.iat ?? 0) >= Math.floor(changedAt), context: { userId } };
};
