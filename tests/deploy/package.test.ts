import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** `sls package --stage prod` offline, and what the CloudFormation it writes says. */
const run = promisify(execFile);
let dir: string;
let resources: Record<string, { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string }>;
let zipListing: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cp-package-'));
  // No AWS credentials or network are needed to package.
  const { USERS_TABLE: _table, ...inherited } = process.env;
  const env = { ...inherited, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', JWT_SECRET: '', ESBUILD_WORK_FOLDER: '.esbuild-package-test' };
  await run(process.execPath, ['node_modules/serverless/bin/serverless.js', 'package', '--stage', 'prod', '--package', dir], { env });
  const template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as { Resources: typeof resources };
  resources = template.Resources;
  zipListing = (await run('python3', ['-c', 'import sys,zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', join(dir, 'change-password.zip')])).stdout;
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);

describe('sls package --stage prod', () => {
  it('builds one nodejs22.x arm64 function from a single bundled file', () => {
    const [fn] = ofType('AWS::Lambda::Function');
    expect(fn?.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'functions/change-password/handler.handler' });
    expect(zipListing.trim().split('\n')).toEqual(['functions/change-password/handler.cjs']);
  });

  it('routes POST (and the CORS preflight) /v1/users/profile/change-password on an HTTP API', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map((r) => r.Properties.RouteKey);
    expect(routes.sort()).toEqual(['OPTIONS /v1/users/profile/change-password', 'POST /v1/users/profile/change-password']);
  });

  it('grants DynamoDB GetItem and UpdateItem on the users table only', () => {
    const [role] = ofType('AWS::IAM::Role');
    const statements = (role?.Properties.Policies as { PolicyDocument: { Statement: { Action: string[]; Resource: unknown }[] } }[])
      .flatMap((p) => p.PolicyDocument.Statement)
      .filter((s) => s.Action.some((a) => a.startsWith('dynamodb:')));
    expect(statements).toEqual([{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Resource: { 'Fn::GetAtt': ['UsersTable', 'Arn'] } }]);
  });

  it('defines the users table keyed by userId, retained, protected and encrypted', () => {
    const table = resources.UsersTable;
    expect(table?.DeletionPolicy).toBe('Retain');
    expect(table?.Properties).toMatchObject({
      TableName: 'change-password-users-prod',
      KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'userId', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('carries no local endpoint and no development secret into prod', () => {
    const [fn] = ofType('AWS::Lambda::Function');
    const variables = (fn?.Properties.Environment as { Variables: Record<string, string> }).Variables;
    expect(variables).toMatchObject({ STAGE: 'prod', USERS_TABLE: 'change-password-users-prod', DYNAMODB_ENDPOINT: '', JWT_SECRET: '' });
  });
});
