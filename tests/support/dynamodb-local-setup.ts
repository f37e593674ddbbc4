/**
 * Vitest globalSetup: under `npm run test:dynamodb-local` (TEST_DYNAMODB=dynamodb-local), one
 * DynamoDB Local (a JVM, seconds to start) serves the whole run instead of one per test file.
 * Each harness creates its own table in it. Test workers find it through TEST_DYNAMODB_ENDPOINT,
 * which scripts/local/dynamodb.ts `startEmbeddedDynamo` reads; with dynalite this does nothing.
 */
import { startDynamoDbLocal } from '../../scripts/local/dynamodb-local.js';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.TEST_DYNAMODB !== 'dynamodb-local') return undefined;
  const shared = await startDynamoDbLocal();
  process.env.TEST_DYNAMODB_ENDPOINT = shared.endpoint;
  return shared.stop;
}
