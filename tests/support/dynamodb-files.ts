import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';

/**
 * What starts a DynamoDB API server in a test file: the harness (tests/support/harness.ts) or
 * scripts/local/dynamodb.ts directly. Each gives dynalite, or the run's DynamoDB Local under
 * TEST_DYNAMODB=dynamodb-local.
 */
export const DYNAMODB_STARTERS = { 'tests/support/harness.ts': ['startHarness', 'useHarness'], 'scripts/local/dynamodb.ts': ['startEmbeddedDynamo'] } as const;

const STARTS_DYNAMODB = new RegExp(`\\b(?:${Object.values(DYNAMODB_STARTERS).flat().join('|')})\\(`);

/** Whether a test file's text starts a DynamoDB API server: the rule `npm run test:dynamodb-local` selects its files by, wherever they live. */
export const startsDynamoDb = (source: string): boolean => STARTS_DYNAMODB.test(source);

/**
 * What only AWS's DynamoDB Local has: DynamoDB Streams (dynalite has none). A test file that reads
 * a stream with the Streams client runs under `npm run test:dynamodb-local` alone; `npm test` leaves
 * it out rather than counting it skipped.
 */
const READS_STREAMS = /from '@aws-sdk\/client-dynamodb-streams'/;

/** Whether a test file's text reads a DynamoDB stream, which only DynamoDB Local serves. */
export const readsStreams = (source: string): boolean => READS_STREAMS.test(source);

/** Every test file under `root`/tests, as a repository path. */
export const testFiles = (root: string): string[] =>
  readdirSync(join(root, 'tests'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => `tests/${file.split(sep).join('/')}`)
    .sort();

/** The test files that start no DynamoDB API server: what `npm run test:dynamodb-local` leaves out (vitest.config.ts). */
export const filesWithoutDynamoDb = (root: string): string[] => testFiles(root).filter((file) => !startsDynamoDb(readFileSync(join(root, file), 'utf8')));

/** The test files that read a DynamoDB stream: what `npm test` (dynalite) leaves out (vitest.config.ts). */
export const filesReadingStreams = (root: string): string[] => testFiles(root).filter((file) => readsStreams(readFileSync(join(root, file), 'utf8')));
