import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET } from '../../lib/config/variables.js';

/** `sls package --stage prod` offline, and what the CloudFormation it writes says. */
const run = promisify(execFile);
let dir: string;
type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; Condition?: string }>;
interface Template {
  Resources: Resources;
  Conditions?: Record<string, unknown>;
}
let resources: Resources;
let template: Template;
let zipListing: string;
/** The same stage packaged with the optional features configured: SSM secret, event bus, tracing. */
let configured: Template;
let configuredDir: string;
/** Stage local, where the function does use the shell's key source (in memory, for local commands). */
let localDir: string;
/** Exported in the shell while packaging: it must reach no file of the package. */
const LEAK_CANARY = 'shell-jwt-secret-that-must-not-reach-any-packaged-file';
const SECRET_PARAMETER = '/change-password/prod/jwt-secret';
const EVENT_BUS = 'platform-events';
/** The platform's existing table, as USERS_TABLE_ARN names it at packaging. */
const EXISTING_TABLE_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/platform-users';
const EXISTING_LAYOUT = { USERS_TABLE: 'platform-users', USERS_KEY: 'pk=USER#{sub},sk=PROFILE', USERS_ATTRIBUTE_NAMES: 'passwordHash=pwHash' };

const ROOT = new URL('../../', import.meta.url).pathname;
/** Service folders made for the runs: each is removed after the tests. */
const serviceDirs: string[] = [];

/**
 * A service folder of its own for one `sls package`: the project's files linked in, serverless.yml
 * copied (the framework does not follow a linked one). serverless-esbuild copies the zip through
 * the service's .serverless/, so runs that share a folder race on it; separate folders let the
 * runs go at once.
 */
const serviceDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'cp-service-'));
  for (const entry of readdirSync(ROOT)) {
    if (entry === '.git' || entry === '.serverless' || entry.startsWith('.esbuild') || entry === 'serverless.yml') continue;
    symlinkSync(join(ROOT, entry), join(dir, entry));
  }
  copyFileSync(join(ROOT, 'serverless.yml'), join(dir, 'serverless.yml'));
  serviceDirs.push(dir);
  return dir;
};

/** `sls package --stage <stage>` into a new folder, with no AWS credentials; returns the folder. */
const slsPackage = async (extraEnv: Record<string, string>, workFolder: string, stage = 'prod'): Promise<string> => {
  const out = mkdtempSync(join(tmpdir(), 'cp-package-'));
  const { USERS_TABLE: _table, ...inherited } = process.env;
  const env = { ...inherited, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', JWT_SECRET: LEAK_CANARY, ESBUILD_WORK_FOLDER: workFolder, ...extraEnv };
  const cwd = serviceDir();
  await run(process.execPath, [join(cwd, 'node_modules/serverless/bin/serverless.js'), 'package', '--stage', stage, '--package', out], { env, cwd });
  return out;
};
const readTemplate = (folder: string) => JSON.parse(readFileSync(join(folder, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;

/** Evaluates the Fn::Not / Fn::Equals conditions the template uses (values are resolved at package time). */
const evaluate = (condition: unknown): boolean => {
  const c = condition as { 'Fn::Not'?: [unknown]; 'Fn::Equals'?: [unknown, unknown] };
  if (c['Fn::Not']) return !evaluate(c['Fn::Not'][0]);
  if (c['Fn::Equals']) return c['Fn::Equals'][0] === c['Fn::Equals'][1];
  throw new Error(`unsupported condition ${JSON.stringify(condition)}`);
};
/** The resources CloudFormation would create: those without a Condition or whose Condition holds. */
const created = (t: Template) =>
  Object.fromEntries(Object.entries(t.Resources).filter(([, r]) => r.Condition === undefined || evaluate(t.Conditions?.[r.Condition])));
type Policy = { PolicyDocument: { Statement: { Effect: string; Action: string[] | string; Resource: unknown }[] } };
/** A role's statements as CloudFormation would create them: a policy under Fn::If only when its condition holds. */
const statementsOf = (role: Resources[string] | undefined, t: Template = template) =>
  ((role?.Properties.Policies ?? []) as (Policy | { 'Fn::If': [string, Policy, unknown] })[])
    .flatMap((p) => ('Fn::If' in p ? (evaluate(t.Conditions?.[p['Fn::If'][0]]) ? [p['Fn::If'][1]] : []) : [p]))
    .flatMap((p) => p.PolicyDocument.Statement);
/** The statements of a role: the framework's, which the change function runs with, unless another is named. */
const roleStatements = (t: Template, name = 'IamRoleLambdaExecution') => {
  const role = t.Resources[name];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`no IAM role ${name} in the template`);
  return statementsOf(role, t);
};
const variablesOf = (t: Template) => {
  const fn = t.Resources.ChangePasswordLambdaFunction;
  if (fn === undefined) throw new Error('no Lambda function in the template');
  return (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
};

beforeAll(async () => {
  // No AWS credentials or network are needed to package.
  // At once, each in its own service folder (see serviceDir); each builds three bundles (one per function).
  [dir, configuredDir, localDir] = await Promise.all([
    slsPackage({}, '.esbuild-package-test'),
    slsPackage({ JWT_SECRET_PARAMETER: SECRET_PARAMETER, EVENT_BUS_NAME: EVENT_BUS, TRACING: 'true', USERS_TABLE_ARN: EXISTING_TABLE_ARN, ...EXISTING_LAYOUT }, '.esbuild-package-test-configured'),
    slsPackage({}, '.esbuild-package-test-local', 'local'),
  ]);
  template = readTemplate(dir);
  resources = template.Resources;
  configured = readTemplate(configuredDir);
  zipListing = (await run('python3', ['-c', 'import sys,zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', join(dir, 'changePassword.zip')])).stdout;
}, 240_000);

afterAll(() => {
  for (const folder of [dir, configuredDir, localDir, ...serviceDirs]) if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
});

const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);

describe('sls package --stage prod', () => {
  it('builds the change function as a nodejs22.x arm64 function from a single bundled file', () => {
    const fn = resources.ChangePasswordLambdaFunction;
    expect(fn?.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'functions/change-password/handler.handler' });
    expect(zipListing.trim().split('\n')).toEqual(['functions/change-password/handler.cjs']);
  });

  it('routes POST (and the CORS preflight) /v1/users/profile/change-password on an HTTP API', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map((r) => r.Properties.RouteKey);
    expect(routes.sort((a, b) => String(a).localeCompare(String(b)))).toEqual(['GET /v1/session', 'OPTIONS /v1/users/profile/change-password', 'POST /v1/users/profile/change-password']);
  });

  it('grants DynamoDB GetItem and UpdateItem on the users table only', () => {
    const statements = roleStatements(template).filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
    expect(statements).toEqual([{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Resource: { 'Fn::GetAtt': ['UsersTable', 'Arn'] } }]);
  });

  it('with USERS_TABLE_ARN set, creates no table and grants the two DynamoDB calls on that table only', () => {
    expect(Object.values(created(configured)).filter((r) => r.Type === 'AWS::DynamoDB::Table')).toEqual([]);
    const dynamo = roleStatements(configured).filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toEqual([{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Resource: EXISTING_TABLE_ARN }]);
    expect(variablesOf(configured)).toMatchObject(EXISTING_LAYOUT);
  });

  it('refuses, before building anything, a USERS_TABLE_ARN that is not the USERS_TABLE table', async () => {
    const refused = await slsPackage({ USERS_TABLE_ARN: EXISTING_TABLE_ARN, USERS_TABLE: 'another-table' }, '.esbuild-package-test-mismatch').then(
      () => '',
      (error: { stdout: string; stderr: string }) => error.stdout + error.stderr,
    );
    expect(refused).toContain(`USERS_TABLE_ARN must be the ARN of the table USERS_TABLE names, arn:aws:dynamodb:<region>:<account>:table/another-table (got "${EXISTING_TABLE_ARN}")`);
    // A whole CLI start (the framework and its plugins loaded) on a shared machine: more than the default 20 s.
  }, 60_000);

  it('defines the users table keyed by userId, retained, protected and encrypted', () => {
    expect(created(template).UsersTable).toBeDefined();
    const table = resources.UsersTable;
    expect(table?.DeletionPolicy).toBe('Retain');
    expect(table?.Properties).toMatchObject({
      TableName: 'change-password-users-prod',
      KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'userId', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('carries no local endpoint and no development secret into prod', () => {
    expect(variablesOf(template)).toMatchObject({ STAGE: 'prod', USERS_TABLE: 'change-password-users-prod', DYNAMODB_ENDPOINT: '', JWT_SECRET: '' });
  });

  it('never carries a JWT_SECRET from the packaging shell into any packaged file', () => {
    for (const folder of [dir, configuredDir]) {
      for (const file of readdirSync(folder)) {
        expect(readFileSync(join(folder, file)).includes(LEAK_CANARY), `${file} holds the shell's JWT_SECRET`).toBe(false);
      }
    }
    expect(variablesOf(configured)).toMatchObject({ JWT_SECRET: '', JWT_SECRET_PARAMETER: SECRET_PARAMETER });
  });

  it('never carries a JWT_SECRET from the packaging shell into a stage-local package or into .serverless/ state', () => {
    // The package folder holds the state file; .serverless/ is checked too in case a run wrote it there.
    const below = (folder: string) => (existsSync(folder) ? readdirSync(folder).map((file) => join(folder, file)) : []);
    const files = [...below(localDir), ...serviceDirs.flatMap((service) => below(join(service, '.serverless')))];
    expect(files).toContain(join(localDir, 'serverless-state.json'));
    for (const file of files.filter((f) => statSync(f).isFile())) {
      expect(readFileSync(file).includes(LEAK_CANARY), `${file} holds the shell's JWT_SECRET`).toBe(false);
    }
    expect(variablesOf(readTemplate(localDir)).JWT_SECRET).toBe(DEV_JWT_SECRET);
  });

  it('throttles every route of the HTTP API stage', () => {
    expect(resources.HttpApiStage?.Properties).toMatchObject({ StageName: '$default', DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 } });
  });

  it('keeps the function’s logs 30 days', () => {
    expect(resources.ChangePasswordLogGroup?.Properties).toEqual({ LogGroupName: '/aws/lambda/change-password-prod-changePassword', RetentionInDays: 30 });
  });

  it('grants the role nothing but its own logs and the two DynamoDB calls when nothing optional is configured', () => {
    const actions = roleStatements(template).flatMap((s) => s.Action);
    expect(actions.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem', 'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:TagResource']);
    expect(Object.values(created(template)).filter((r) => r.Type === 'AWS::IAM::Policy')).toEqual([]);
    expect(resources.ChangePasswordLambdaFunction?.Properties.TracingConfig).toBeUndefined();
    expect(variablesOf(template)).toMatchObject({ JWT_SECRET_PARAMETER: '', EVENT_BUS_NAME: '', POWERTOOLS_TRACE_ENABLED: 'false' });
  });

  it('passes the HIBP_* variables through unset, so stage prod gets their defaults (on, public API, fail-open; see tests/config/breached-passwords.test.ts)', () => {
    expect(variablesOf(template)).toMatchObject({ STAGE: 'prod', HIBP_ENABLED: '', HIBP_API_URL: '', HIBP_TIMEOUT_MS: '', HIBP_MAX_BREACHES: '', HIBP_FAIL_CLOSED: '' });
  });

  it('with JWT_SECRET_PARAMETER set, grants ssm:GetParameter on that one parameter only', () => {
    const policy = created(configured).JwtSecretParameterReadPolicy;
    expect(policy?.Properties).toMatchObject({
      // The token authorizer verifies tokens with the same secret.
      Roles: [{ Ref: 'IamRoleLambdaExecution' }, { Ref: 'TokenAuthorizerRole' }],
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 'ssm:GetParameter', Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${SECRET_PARAMETER}` } },
        ],
      },
    });
  });

  it('with EVENT_BUS_NAME set, grants events:PutEvents on that one bus only, and tells the function its name', () => {
    const policy = created(configured).EventBusPublishPolicy;
    expect(policy?.Properties).toMatchObject({
      Roles: [{ Ref: 'IamRoleLambdaExecution' }],
      PolicyDocument: {
        Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:event-bus/${EVENT_BUS}` } }],
      },
    });
    expect(variablesOf(configured).EVENT_BUS_NAME).toBe(EVENT_BUS);
  });

  it('with TRACING=true, turns on X-Ray for the function and Powertools Tracer', () => {
    expect(configured.Resources.ChangePasswordLambdaFunction?.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    expect(variablesOf(configured).POWERTOOLS_TRACE_ENABLED).toBe('true');
    expect(roleStatements(configured).flatMap((s) => s.Action)).toEqual(expect.arrayContaining(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']));
  });

  it('emits metrics in prod (EMF under ChangePassword)', () => {
    expect(variablesOf(template)).toMatchObject({ POWERTOOLS_METRICS_NAMESPACE: 'ChangePassword', POWERTOOLS_METRICS_DISABLED: 'false' });
  });

  // The budget: 400 KB with the bundled breached-password list (~50 KB) and hibp (~2 KB).
  it('ships a bundle under 400 KB zipped', () => {
    expect(statSync(join(dir, 'changePassword.zip')).size).toBeLessThan(400 * 1024);
  });

  it('loads the bundle without evaluating the X-Ray SDK while tracing is off (no cold-start cost)', async () => {
    const unzipped = mkdtempSync(join(tmpdir(), 'cp-bundle-'));
    try {
      await run('python3', ['-c', 'import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', join(dir, 'changePassword.zip'), unzipped]);
      // Records which environment variables the bundle reads while it loads (as a cold start does).
      const probe = `const seen=new Set();process.env=new Proxy(process.env,{get(t,k){if(typeof k==='string')seen.add(k);return t[k];}});
require(process.argv[1]);console.log(JSON.stringify([...seen]));`;
      const env = { PATH: process.env.PATH, USERS_TABLE: 'users', STAGE: 'prod', JWT_JWKS_URL: 'https://issuer.example/jwks.json', AWS_REGION: 'eu-west-1', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' };
      const { stdout } = await run(process.execPath, ['-e', probe, join(unzipped, 'functions/change-password/handler.cjs')], { env });
      const read = JSON.parse(stdout.trim().split('\n').pop() ?? '[]') as string[];
      expect(read).toContain('POWERTOOLS_TRACE_ENABLED');
      expect(read.filter((name) => /XRAY|TRACER_CAPTURE/.test(name))).toEqual([]);
    } finally {
      rmSync(unzipped, { recursive: true, force: true });
    }
  });
});

describe('sls package --stage prod: the token authorizer', () => {
  it('is its own 512 MB function on a role that may read users and write its logs, nothing else', () => {
    expect(resources.TokenAuthorizerLambdaFunction?.Properties).toMatchObject({
      Handler: 'functions/token-authorizer/handler.handler',
      MemorySize: 512,
      Role: { 'Fn::GetAtt': ['TokenAuthorizerRole', 'Arn'] },
    });
    const statements = roleStatements(template, 'TokenAuthorizerRole');
    expect(statements.flatMap((s) => s.Action).sort()).toEqual(['dynamodb:GetItem', 'logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(statements.find((s) => s.Action === 'dynamodb:GetItem')?.Resource).toEqual({ 'Fn::GetAtt': ['UsersTable', 'Arn'] });
    expect(roleStatements(configured, 'TokenAuthorizerRole').find((s) => s.Action === 'dynamodb:GetItem')?.Resource).toBe(EXISTING_TABLE_ARN);
  });

  it('with TRACING=true, is traced like the change function, its role allowed the two X-Ray calls', () => {
    expect(configured.Resources.TokenAuthorizerLambdaFunction?.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    expect(roleStatements(configured, 'TokenAuthorizerRole').flatMap((s) => s.Action)).toEqual(expect.arrayContaining(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']));
    expect(resources.TokenAuthorizerLambdaFunction?.Properties.TracingConfig).toBeUndefined();
  });

  it('is attached to GET /v1/session as an HTTP API request authorizer: payload 2.0, simple responses, not cached by default', () => {
    expect(resources.HttpApiAuthorizerTokenAuthorizer?.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 0,
    });
    expect(resources.HttpApiRouteGetV1Session?.Properties).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: 'HttpApiAuthorizerTokenAuthorizer' } });
    expect(statementsOf(resources.SessionRole).flatMap((s) => s.Action).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
  });

  it('exports its ARN for the platform’s other stacks', () => {
    const outputs = (template as Template & { Outputs: Record<string, { Value: unknown; Export: { Name: string } }> }).Outputs;
    expect(outputs.TokenAuthorizerArn).toMatchObject({ Value: { 'Fn::GetAtt': ['TokenAuthorizerLambdaFunction', 'Arn'] }, Export: { Name: 'change-password-prod-token-authorizer-arn' } });
  });

  // The budget of a function in front of every route: jose, the DynamoDB client and one GetItem.
  it('ships one bundled file under 150 KB zipped', async () => {
    const zip = join(dir, 'tokenAuthorizer.zip');
    const listing = (await run('python3', ['-c', 'import sys,zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', zip])).stdout;
    expect(listing.trim().split('\n')).toEqual(['functions/token-authorizer/handler.cjs']);
    expect(statSync(zip).size).toBeLessThanOrEqual(150 * 1024);
  });

  it('carries none of the change function’s password machinery (strings of bcryptjs, zxcvbn-ts, its word lists, hibp)', async () => {
    const read = async (zipName: string) =>
      (await run('python3', ['-c', 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); sys.stdout.write(z.read(z.namelist()[0]).decode())', join(dir, zipName)], { maxBuffer: 8 * 1024 * 1024 })).stdout;
    const markers = ['Invalid salt version', 'passwords-common', 'l33t', 'bcrypt', 'hibp'];
    const [authorizer, change] = [await read('tokenAuthorizer.zip'), await read('changePassword.zip')];
    expect(markers.filter((m) => !change.includes(m))).toEqual([]);
    expect(markers.filter((m) => authorizer.includes(m))).toEqual([]);
  });
});
