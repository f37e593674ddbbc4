import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USER } from '../../scripts/local/dev-token.js';
import { ensureIdempotencyTable, ensureUsersTable, putUser, startEmbeddedDynamo } from '../../scripts/local/dynamodb.js';
import { rawDocumentClient } from '../support/harness.js';
import { runNode } from '../support/processes.js';
import { startSesStandIn } from '../support/ses.js';

/**
 * `npx sls invoke local -f passwordChangedNotice -p events/notice/password-changed.json`, as
 * docs/local-development.md shows it: the bundled function, its configuration checked by the
 * plugin, the demo user's address read from a DynamoDB API server, and the email sent through the
 * real SES v2 client, pointed at a stand-in by AWS_ENDPOINT_URL_SESV2.
 */
const EVENT = 'events/notice/password-changed.json';
let dynamo: Awaited<ReturnType<typeof startEmbeddedDynamo>>;
let ses: Awaited<ReturnType<typeof startSesStandIn>>;
let env: Record<string, string>;

const invoke = async (extra: Record<string, string> = {}, event = EVENT) => {
  const { code, stdout, stderr } = await runNode(['node_modules/serverless/bin/serverless.js', 'invoke', 'local', '-f', 'passwordChangedNotice', '-p', event], { ...env, ...extra });
  return { code, output: stdout + stderr };
};

beforeAll(async () => {
  [dynamo, ses] = await Promise.all([startEmbeddedDynamo(), startSesStandIn()]);
  const users = `users-${randomUUID()}`;
  const idempotency = `idempotency-${randomUUID()}`;
  await Promise.all([ensureUsersTable(dynamo.endpoint, users), ensureIdempotencyTable(dynamo.endpoint, idempotency)]);
  await putUser(dynamo.endpoint, users, { ...DEMO_USER }, 4);
  env = {
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    USERS_TABLE: users,
    IDEMPOTENCY_TABLE: idempotency,
    NOTICE_FROM_ADDRESS: 'no-reply@example.com',
    NOTICE_RESET_URL: 'https://app.example.com/reset',
    EVENT_BUS_NAME: 'platform-events',
    AWS_ENDPOINT_URL_SESV2: ses.endpoint,
    // The SES client signs its requests: any credentials do for the stand-in.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_REGION: 'eu-west-1',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    ESBUILD_WORK_FOLDER: '.esbuild-invoke-notice',
  };
}, 60_000);
afterAll(async () => {
  await Promise.all([dynamo?.stop(), ses?.stop()]);
});

// Each run spawns osls and bundles: seconds idle, a minute or more on a machine shared with other suites.
describe.concurrent('sls invoke local -f passwordChangedNotice', { timeout: 300_000 }, () => {
  it('emails the demo user through SES (AWS_ENDPOINT_URL_SESV2), and records the change in the idempotency table', async () => {
    const first = await invoke();

    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain('"sent": true');
    // A redelivery then sends nothing (tests/events/ proves it through the same handler).
    const { Items = [] } = await rawDocumentClient(dynamo.endpoint).send(new ScanCommand({ TableName: env.IDEMPOTENCY_TABLE }));
    expect(Items).toEqual([expect.objectContaining({ status: 'COMPLETED', data: { sent: true, recipients: 1, skipped: [] } })]);
    expect(ses.accepted).toHaveLength(1);
    expect(ses.accepted[0]).toMatchObject({ FromEmailAddress: 'no-reply@example.com', Destination: { ToAddresses: [DEMO_USER.email] } });
    const { detail } = JSON.parse(readFileSync(EVENT, 'utf8')) as { detail: { changedAt: string; userAgent: string } };
    expect(ses.accepted[0]?.Content?.Simple?.Body?.Text?.Data).toContain(`(${detail.changedAt}), from the IP address 127.0.0.1`);
    expect(ses.accepted[0]?.Content?.Simple?.Body?.Text?.Data).toContain(`a client that calls itself: ${detail.userAgent}`);
    expect(first.output).not.toContain(DEMO_USER.email);
  });

  // The plugin's own decision at `initialize`, before anything is bundled, on the configuration serverless
  // hands it: a whole `sls invoke local` costs seconds of CPU, and the hook's wiring into a real one is
  // proved by tests/npm-start/shell-settings.test.ts (an invalid change function's configuration).
  it('refuses to run without NOTICE_RESET_URL, naming it, before bundling anything', async () => {
    const Plugin = createRequire(import.meta.url)('../../scripts/local/serverless-plugin.cjs') as new (sls: unknown, options: unknown) => { hooks: { initialize: () => Promise<void> } };
    const service = {
      custom: { notice: { fromAddress: env.NOTICE_FROM_ADDRESS }, eventBusName: env.EVENT_BUS_NAME },
      provider: { stage: 'local' },
      functions: { changePassword: {}, passwordChangedNotice: { environment: { ...env, NOTICE_RESET_URL: '' } } },
    };
    const plugin = new Plugin({ service, processedInput: { commands: ['invoke', 'local'] }, classes: { Error } }, { function: 'passwordChangedNotice' });

    const refusal = await plugin.hooks.initialize().then(() => '', (error: Error) => error.message);

    expect(refusal).toContain('Invalid configuration of passwordChangedNotice: NOTICE_RESET_URL must be the https:// page');
  });
});
