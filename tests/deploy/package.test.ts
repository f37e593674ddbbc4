import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET, FUNCTIONS, functionVariables, VARIABLES, type FunctionName } from '../../lib/config/variables.js';
import { PASSWORD_CHANGED_EVENT } from '../../lib/core/password-changed-event.js';
import { CHANGE_PASSWORD_ROUTE, PASSWORD_POLICY_ROUTE, SESSION_ROUTE } from '../../lib/http/routes.js';

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
/**
 * Stage local, where the function does use the shell's key source (in memory, for local commands).
 * Each packaging costs seconds of CPU, so this one also carries settings that do not interact with
 * the key source: a global table of two replicas and a witness, in another Region, at another memory size.
 */
let localDir: string;
/** Global tables: three replica Regions (prod); two and a witness (the stage-local package). */
let global3: Template;
let globalWitness: Template;
const REPLICAS = 'eu-west-1,eu-west-2,eu-west-3';
/** Exported in the shell while packaging: it must reach no file of the package. */
const LEAK_CANARY = 'shell-jwt-secret-that-must-not-reach-any-packaged-file';
const SECRET_PARAMETER = '/change-password/prod/jwt-secret';
const EVENT_BUS = 'platform-events';
/** The notice's sender and reset page: with EVENT_BUS, the configured package deploys passwordChangedNotice. */
const NOTICE = { NOTICE_FROM_ADDRESS: 'no-reply@mail.example.com', NOTICE_RESET_URL: 'https://app.example.com/reset' };
/** The platform's existing table, as USERS_TABLE_ARN names it at packaging. */
const EXISTING_TABLE_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/platform-users';
const EXISTING_LAYOUT = { USERS_TABLE: 'platform-users', USERS_KEY: 'pk=USER#{sub},sk=PROFILE', USERS_ATTRIBUTE_NAMES: 'passwordHash=pwHash,pendingPasswordChanged=outbox' };
/** That table's own stream, which the relay reads; and the operator's alarm topic. */
const EXISTING_STREAM_ARN = `${EXISTING_TABLE_ARN}/stream/2026-01-01T00:00:00.000`;
const ALARM_TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:operators';

const ROOT = new URL('../../', import.meta.url).pathname;
/** Service folders made for the runs. */
const serviceDirs: string[] = [];
/** Folders made for the runs (outputs, their temp folder): each, and each service folder, is removed after the tests. */
const made: string[] = [];
/**
 * The TMPDIR of every run: packaging must leave nothing of its own there (serverless-esbuild's
 * zip staging folder, removed by patches/serverless-esbuild+*.patch). tsx keeps its cache there.
 */
const runsTmp = mkdtempSync(join(tmpdir(), 'cp-tmp-'));
made.push(runsTmp);

/**
 * A service folder of its own for one `sls package`: the project's files linked in, serverless.yml
 * copied (the framework does not follow a linked one). serverless-esbuild copies the zip through
 * the service's .serverless/, so runs that share a folder race on it; separate folders let the
 * runs go at once. `bundled` lists the functions esbuild builds; for any other, serverless-esbuild's
 * own `skipBuild` takes the zip already in the package folder (see slsPackage), so a variant read
 * only for its template costs no bundling.
 */
const serviceDir = (bundled: readonly FunctionName[] | 'all'): string => {
  const dir = mkdtempSync(join(tmpdir(), 'cp-service-'));
  for (const entry of readdirSync(ROOT)) {
    if (entry === '.git' || entry === '.serverless' || entry.startsWith('.esbuild') || entry === 'serverless.yml') continue;
    symlinkSync(join(ROOT, entry), join(dir, entry));
  }
  const yaml = readFileSync(join(ROOT, 'serverless.yml'), 'utf8');
  const skipping = yaml.replace(/^( {2})esbuild:\n/m, (line, indent: string) => `${line}${indent}${indent}skipBuild: true\n${indent}${indent}skipBuildExcludeFns: ${JSON.stringify(bundled)}\n`);
  if (bundled !== 'all' && skipping === yaml) throw new Error('serverless.yml has no custom.esbuild section to add skipBuild to');
  writeFileSync(join(dir, 'serverless.yml'), bundled === 'all' ? yaml : skipping);
  serviceDirs.push(dir);
  return dir;
};

/** The zip a function not bundled in a variant is packaged from: empty, so a test that reads its code fails. */
const EMPTY_ZIP = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);

/**
 * `sls package --stage <stage>` into a new folder, with no AWS credentials; returns the folder.
 * `bundled`: the functions whose code a test reads (the others get EMPTY_ZIP: their template is the same).
 */
const slsPackage = async (extraEnv: Record<string, string>, workFolder: string, { stage = 'prod', bundled = 'all' }: { stage?: string; bundled?: readonly FunctionName[] | 'all' } = {}): Promise<string> => {
  const out = mkdtempSync(join(tmpdir(), 'cp-package-'));
  made.push(out);
  if (bundled !== 'all') for (const fn of FUNCTIONS.filter((name) => !bundled.includes(name))) writeFileSync(join(out, `${fn}.zip`), EMPTY_ZIP);
  const { USERS_TABLE: _table, ...inherited } = process.env;
  const env = { ...inherited, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', JWT_SECRET: LEAK_CANARY, ESBUILD_WORK_FOLDER: workFolder, TMPDIR: runsTmp, ...extraEnv };
  const cwd = serviceDir(bundled);
  await run(process.execPath, [join(cwd, 'node_modules/serverless/bin/serverless.js'), 'package', '--stage', stage, '--package', out], { env, cwd });
  return out;
};
const readTemplate = (folder: string) => JSON.parse(readFileSync(join(folder, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;

/** Evaluates the Fn::Not / Fn::Equals conditions the template uses (values are resolved at package time). */
const evaluate = (condition: unknown, conditions: Record<string, unknown> = {}): boolean => {
  const c = condition as { 'Fn::Not'?: [unknown]; 'Fn::Equals'?: [unknown, unknown]; 'Fn::And'?: unknown[]; Condition?: string };
  if (c.Condition !== undefined) return evaluate(conditions[c.Condition], conditions);
  if (c['Fn::Not']) return !evaluate(c['Fn::Not'][0], conditions);
  if (c['Fn::And']) return c['Fn::And'].every((part) => evaluate(part, conditions));
  if (c['Fn::Equals']) return c['Fn::Equals'][0] === c['Fn::Equals'][1];
  throw new Error(`unsupported condition ${JSON.stringify(condition)}`);
};
/** The resources CloudFormation would create: those without a Condition or whose Condition holds. */
const created = (t: Template) =>
  Object.fromEntries(Object.entries(t.Resources).filter(([, r]) => r.Condition === undefined || evaluate(t.Conditions?.[r.Condition], t.Conditions)));
/** The branch an Fn::If takes in this template (anything else as it is). */
const chosen = (t: Template, value: unknown): unknown => {
  const branch = (value as { 'Fn::If'?: [string, unknown, unknown] })['Fn::If'];
  return branch === undefined ? value : chosen(t, evaluate(t.Conditions?.[branch[0]], t.Conditions) ? branch[1] : branch[2]);
};
type Policy = { PolicyDocument: { Statement: { Effect: string; Action: string[] | string; Resource: unknown }[] } };
/** A role's statements as CloudFormation would create them: a policy under Fn::If only when its condition holds. */
const statementsOf = (role: Resources[string] | undefined, t: Template = template) =>
  ((role?.Properties.Policies ?? []) as (Policy | { 'Fn::If': [string, Policy, unknown] })[])
    .flatMap((p) => ('Fn::If' in p ? (evaluate(t.Conditions?.[p['Fn::If'][0]], t.Conditions) ? [p['Fn::If'][1]] : []) : [p]))
    .flatMap((p) => p.PolicyDocument.Statement);
/** The statements of a role: the framework's, which the change function runs with, unless another is named. */
const roleStatements = (t: Template, name = 'IamRoleLambdaExecution') => {
  const role = t.Resources[name];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`no IAM role ${name} in the template`);
  return statementsOf(role, t);
};
const variablesOf = (t: Template, name = 'ChangePasswordLambdaFunction') => {
  const fn = t.Resources[name];
  if (fn?.Type !== 'AWS::Lambda::Function') throw new Error(`no Lambda function ${name} in the template`);
  return (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
};
/** `tokenAuthorizer` → `TokenAuthorizer`: the framework's logical ids (…LambdaFunction) and the roles' (…Role). */
const logicalName = (fn: FunctionName) => `${fn[0]?.toUpperCase() ?? ''}${fn.slice(1)}`;
/** The functions a template deploys, each with the names of its environment variables, sorted. */
const deployedEnvironments = (t: Template) =>
  FUNCTIONS.filter((fn) => created(t)[`${logicalName(fn)}LambdaFunction`] !== undefined).map((fn) => {
    const environment = t.Resources[`${logicalName(fn)}LambdaFunction`]?.Properties.Environment as { Variables: Record<string, string> } | undefined;
    return [fn, Object.keys(environment?.Variables ?? {}).sort()] as const;
  });

beforeAll(async () => {
  // No AWS credentials or network are needed to package.
  // At once, each in its own service folder (see serviceDir). esbuild builds each distinct bundle
  // a test reads once: the plain prod package's change function, authorizer and policy function
  // (the session route's bundle is served by npm start: tests/npm-start/session.test.ts); in the
  // configured one, the change function with the tracer (TRACING=true) and the two functions only
  // it deploys; the global-table variants are read for their templates alone.
  let global3Dir: string;
  [dir, configuredDir, localDir, global3Dir] = await Promise.all([
    slsPackage({}, '.esbuild-package-test', { bundled: ['changePassword', 'tokenAuthorizer', 'passwordPolicy'] }),
    slsPackage({ JWT_SECRET_PARAMETER: SECRET_PARAMETER, EVENT_BUS_NAME: EVENT_BUS, TRACING: 'true', USERS_TABLE_ARN: EXISTING_TABLE_ARN, USERS_TABLE_STREAM_ARN: EXISTING_STREAM_ARN, ALARM_TOPIC_ARN, ...EXISTING_LAYOUT, ...NOTICE }, '.esbuild-package-test-configured', {
      bundled: ['changePassword', 'passwordChangedNotice', 'passwordChangedRelay'],
    }),
    slsPackage({ USERS_TABLE_REPLICA_REGIONS: ' eu-west-1 , eu-central-1 ', USERS_TABLE_WITNESS_REGION: 'eu-west-2', LAMBDA_MEMORY_MB: '3008', AWS_REGION: 'eu-central-1' }, '.esbuild-package-test-local', { stage: 'local', bundled: [] }),
    slsPackage({ USERS_TABLE_REPLICA_REGIONS: REPLICAS, EVENT_BUS_NAME: EVENT_BUS }, '.esbuild-package-test-global', { bundled: [] }),
  ]);
  global3 = readTemplate(global3Dir);
  globalWitness = readTemplate(localDir);
  template = readTemplate(dir);
  resources = template.Resources;
  configured = readTemplate(configuredDir);
  zipListing = (await run('python3', ['-c', 'import sys,zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', join(dir, 'changePassword.zip')])).stdout;
  // Four packagings at once: minutes on a busy two-core machine.
}, 240_000);

afterAll(() => {
  for (const folder of [...made, ...serviceDirs]) rmSync(folder, { recursive: true, force: true });
});

const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);

describe('sls package --stage prod', () => {
  it('builds the change function as a nodejs24.x arm64 function at 1769 MB (one vCPU) from a single bundled file', () => {
    const fn = resources.ChangePasswordLambdaFunction;
    expect(fn?.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], MemorySize: 1769, Handler: 'functions/change-password/handler.handler' });
    expect(zipListing.trim().split('\n')).toEqual(['functions/change-password/handler.cjs']);
  });

  it('leaves nothing of its own in the temp folder', () => {
    expect(readdirSync(runsTmp).filter((entry) => !entry.startsWith('tsx-'))).toEqual([]);
  });

  it('routes POST (and the CORS preflight) /v1/users/profile/change-password on an HTTP API', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map((r) => r.Properties.RouteKey);
    expect(routes.sort((a, b) => String(a).localeCompare(String(b)))).toEqual([`${PASSWORD_POLICY_ROUTE.method} ${PASSWORD_POLICY_ROUTE.path}`, `${SESSION_ROUTE.method} ${SESSION_ROUTE.path}`, `OPTIONS ${CHANGE_PASSWORD_ROUTE.path}`, `${CHANGE_PASSWORD_ROUTE.method} ${CHANGE_PASSWORD_ROUTE.path}`]);
  });

  it('grants DynamoDB GetItem and UpdateItem on the users table only', () => {
    const statements = roleStatements(template).filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
    expect(statements.map((s) => ({ ...s, Resource: chosen(template, s.Resource) }))).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Resource: { 'Fn::GetAtt': ['UsersTable', 'Arn'] } },
    ]);
  });

  it('with USERS_TABLE_ARN set, creates no table and grants the two DynamoDB calls on that table only', () => {
    expect(Object.entries(created(configured)).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table').map(([name]) => name)).toEqual(['IdempotencyTable']);
    const dynamo = roleStatements(configured).filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toEqual([{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Resource: EXISTING_TABLE_ARN }]);
    expect(variablesOf(configured)).toMatchObject(EXISTING_LAYOUT);
  });

  // A whole `sls package` run of its own: the framework alone takes 15 s to start on a 2-core machine at a load average of 16.
  it('refuses, before building anything, a USERS_TABLE_ARN that is not the USERS_TABLE table', { timeout: 120_000 }, async () => {
    const refused = await slsPackage({ USERS_TABLE_ARN: EXISTING_TABLE_ARN, USERS_TABLE: 'another-table' }, '.esbuild-package-test-mismatch').then(
      () => '',
      (error: { stdout: string; stderr: string }) => error.stdout + error.stderr,
    );
    expect(refused).toContain(`USERS_TABLE_ARN must be the ARN of the table USERS_TABLE names, arn:aws:dynamodb:<region>:<account>:table/another-table (got "${EXISTING_TABLE_ARN}")`);
  });

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
    // Its functions are not bundled (esbuild's options do not depend on the stage): the bundles are checked above.
    const below = (folder: string) => (existsSync(folder) ? readdirSync(folder).map((file) => join(folder, file)) : []);
    const files = [...below(localDir), ...serviceDirs.flatMap((service) => below(join(service, '.serverless')))];
    expect(files).toContain(join(localDir, 'serverless-state.json'));
    for (const file of files.filter((f) => statSync(f).isFile())) {
      expect(readFileSync(file).includes(LEAK_CANARY), `${file} holds the shell's JWT_SECRET`).toBe(false);
    }
    expect(variablesOf(readTemplate(localDir)).JWT_SECRET).toBe(DEV_JWT_SECRET);
    expect(variablesOf(readTemplate(localDir), 'TokenAuthorizerLambdaFunction').JWT_SECRET).toBe(DEV_JWT_SECRET);
    expect(variablesOf(readTemplate(localDir), 'SessionLambdaFunction')).toEqual({});
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

  it('gives each function exactly the variables lib/config/variables.ts says it reads: the authorizer and the session route no password or Pwned Passwords setting', () => {
    for (const t of [template, configured, global3]) {
      for (const [fn, names] of deployedEnvironments(t)) expect(names, fn).toEqual([...functionVariables(fn)].sort());
    }
    expect(deployedEnvironments(configured).map(([fn]) => fn)).toEqual([...FUNCTIONS]);
    const environments = Object.fromEntries(deployedEnvironments(template));
    expect(environments.tokenAuthorizer?.filter((name) => /^(PASSWORD_|HIBP_|BCRYPT_|LOCKOUT_|MFA_|MAX_AUTH|REPLAY_|CORS_|EVENT_BUS|NOTICE_)/.test(name))).toEqual([]);
    expect(environments.session).toEqual([]);
  });

  it('runs every function but the change function on a role of its own, all in one shape: trusted by Lambda, its own logs first', () => {
    for (const fn of FUNCTIONS.filter((name) => name !== 'changePassword')) {
      const name = `${logicalName(fn)}Role`;
      expect(configured.Resources[`${logicalName(fn)}LambdaFunction`]?.Properties.Role, fn).toEqual({ 'Fn::GetAtt': [name, 'Arn'] });
      expect(configured.Resources[name]?.Properties.AssumeRolePolicyDocument, fn).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
      expect(roleStatements(configured, name)[0], fn).toEqual({
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/change-password-prod-${fn}:*` },
      });
    }
    expect(configured.Resources.ChangePasswordLambdaFunction?.Properties.Role).toEqual({ 'Fn::GetAtt': ['IamRoleLambdaExecution', 'Arn'] });
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

  it('with EVENT_BUS_NAME set, tells the function its name and grants it no EventBridge call: the relay publishes', () => {
    expect(variablesOf(configured).EVENT_BUS_NAME).toBe(EVENT_BUS);
    expect(roleStatements(configured).flatMap((s) => s.Action).filter((a) => a.startsWith('events:'))).toEqual([]);
    expect(Object.values(created(configured)).filter((r) => r.Type === 'AWS::IAM::Policy').flatMap((p) => JSON.stringify(p).match(/events:\w+/g) ?? [])).toEqual([]);
  });

  it('with TRACING=true, turns on X-Ray for the function and Powertools Tracer', () => {
    expect(configured.Resources.ChangePasswordLambdaFunction?.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    expect(variablesOf(configured).POWERTOOLS_TRACE_ENABLED).toBe('true');
    expect(roleStatements(configured).flatMap((s) => s.Action)).toEqual(expect.arrayContaining(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']));
  });

  it('emits metrics in prod (EMF under ChangePassword)', () => {
    expect(variablesOf(template)).toMatchObject({ POWERTOOLS_METRICS_NAMESPACE: 'ChangePassword', POWERTOOLS_METRICS_DISABLED: 'false' });
  });

  // The budget: 400 KB with the bundled breached-password list (~50 KB).
  it('ships a bundle under 400 KB zipped', () => {
    expect(statSync(join(dir, 'changePassword.zip')).size).toBeLessThan(400 * 1024);
  });

  it('bundles the Tracer and the X-Ray SDK only into a package built with TRACING=true', async () => {
    const handlerOf = async (folder: string): Promise<string> => {
      const unzipped = mkdtempSync(join(tmpdir(), 'cp-bundle-'));
      try {
        await run('python3', ['-c', 'import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', join(folder, 'changePassword.zip'), unzipped]);
        return readFileSync(join(unzipped, 'functions/change-password/handler.cjs'), 'utf8');
      } finally {
        rmSync(unzipped, { recursive: true, force: true });
      }
    };
    // The X-Ray SDK reads this variable; Powertools Tracer wraps the SDK.
    const xray = /AWS_XRAY_CONTEXT_MISSING/;
    expect(await handlerOf(configuredDir)).toMatch(xray);
    expect(await handlerOf(dir)).not.toMatch(xray);
  });

  it('loads the bundle without evaluating the X-Ray SDK while tracing is off (no cold-start cost)', async () => {
    const unzipped = mkdtempSync(join(tmpdir(), 'cp-bundle-'));
    try {
      await run('python3', ['-c', 'import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', join(dir, 'changePassword.zip'), unzipped]);
      // Records which environment variables the bundle reads while it loads (as a cold start does).
      const probe = `const seen=new Set();process.env=new Proxy(process.env,{get(t,k){if(typeof k==='string')seen.add(k);return t[k];}});
require(process.argv[1]);console.log(JSON.stringify([...seen]));`;
      const env = { PATH: process.env.PATH, USERS_TABLE: 'users', STAGE: 'prod', JWT_JWKS_URL: 'https://issuer.example/jwks.json', AWS_REGION: 'eu-west-1', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' };
      const { stdout } = await run(process.execPath, ['-e', probe, join(unzipped, 'functions/change-password/handler.cjs')], { env });
      const read = JSON.parse(stdout.trim().split('\n').pop() ?? '[]') as string[];
      expect(read).toContain('POWERTOOLS_TRACE_ENABLED');
      expect(read.filter((name) => /XRAY|TRACER_CAPTURE/.test(name))).toEqual([]);
    } finally {
      rmSync(unzipped, { recursive: true, force: true });
    }
  });
});

describe('sls package with USERS_TABLE_REPLICA_REGIONS', () => {
  const dynamoTables = (t: Template) => Object.values(created(t)).filter((r) => r.Type.startsWith('AWS::DynamoDB::'));

  it('creates a multi-Region strongly consistent global table instead of the plain one, as protected and encrypted', () => {
    expect(dynamoTables(global3).map((r) => r.Type)).toEqual(['AWS::DynamoDB::GlobalTable']);
    const table = global3.Resources.UsersGlobalTable;
    expect(table?.DeletionPolicy).toBe('Retain');
    const replica = (Region: string) => ({ Region, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true });
    expect(table?.Properties).toEqual({
      TableName: 'change-password-users-prod',
      MultiRegionConsistency: 'STRONG',
      BillingMode: 'PAY_PER_REQUEST',
      // The plain table's keys, which scripts/local/dynamodb.ts creates locally.
      KeySchema: resources.UsersTable?.Properties.KeySchema,
      AttributeDefinitions: resources.UsersTable?.Properties.AttributeDefinitions,
      SSESpecification: { SSEEnabled: true },
      // With EVENT_BUS_NAME: each Region's relay reads its replica's stream.
      StreamSpecification: { 'Fn::If': ['HasEventBus', { StreamViewType: 'NEW_IMAGE' }, { Ref: 'AWS::NoValue' }] },
      Replicas: REPLICAS.split(',').map(replica),
      GlobalTableWitnesses: { Ref: 'AWS::NoValue' },
    });
    expect(chosen(global3, global3.Resources.UsersGlobalTable?.Properties.StreamSpecification)).toEqual({ StreamViewType: 'NEW_IMAGE' });
    expect(chosen(global3, created(global3).PasswordChangedRelayStream?.Properties.EventSourceArn)).toEqual({ 'Fn::GetAtt': ['UsersGlobalTable', 'StreamArn'] });
  });

  it('grants the two DynamoDB calls on the global table, whose ARN is this Region’s replica', () => {
    const dynamo = roleStatements(global3).filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.map((s) => chosen(global3, s.Resource))).toEqual([{ 'Fn::GetAtt': ['UsersGlobalTable', 'Arn'] }]);
  });

  it('takes two replicas and a witness, the stage’s deletion protection and LAMBDA_MEMORY_MB', () => {
    expect(dynamoTables(globalWitness).map((r) => r.Type)).toEqual(['AWS::DynamoDB::GlobalTable']);
    expect(globalWitness.Resources.UsersGlobalTable?.Properties).toMatchObject({
      Replicas: [
        { Region: 'eu-west-1', DeletionProtectionEnabled: false },
        { Region: 'eu-central-1', DeletionProtectionEnabled: false },
      ],
      GlobalTableWitnesses: [{ Region: 'eu-west-2' }],
    });
    expect(globalWitness.Resources.ChangePasswordLambdaFunction?.Properties.MemorySize).toBe(3008);
  });

  // One refusal through `sls package` for each place the plugin checks: `asyncInit` here, the
  // `initialize` hook above (USERS_TABLE_ARN); every other refusal is packaging-checks.test.ts's.
  it.concurrent.for<{ env: Record<string, string>; message: string }>([
    { env: { LAMBDA_MEMORY_MB: '99' }, message: `LAMBDA_MEMORY_MB must be a whole number of MB from ${VARIABLES.LAMBDA_MEMORY_MB.range.min} to ${VARIABLES.LAMBDA_MEMORY_MB.range.max} (got "99")` },
  ])('refuses, before building anything, $env', { timeout: 120_000 }, async ({ env, message }, { expect }) => {
    const refused = await slsPackage(env, `.esbuild-package-test-refused-${Object.keys(env).join('-')}`).then(
      () => '',
      (error: { stdout: string; stderr: string }) => error.stdout + error.stderr,
    );
    expect(refused).toContain(`Invalid configuration: ${message}`);
  });
});

describe('sls package: the owner notice (passwordChangedNotice)', () => {
  const NOTICE_FUNCTION = 'PasswordChangedNoticeLambdaFunction';
  const ofTypeIn = (t: Template, type: string) => Object.entries(created(t)).filter(([, r]) => r.Type === type);

  it('is not deployed unless NOTICE_FROM_ADDRESS and EVENT_BUS_NAME are set: no function, rule, role or idempotency table', () => {
    expect(ofTypeIn(template, 'AWS::Lambda::Function').map(([name]) => name)).not.toContain(NOTICE_FUNCTION);
    expect(ofTypeIn(template, 'AWS::Events::Rule')).toEqual([]);
    expect(ofTypeIn(template, 'AWS::IAM::Role').map(([name]) => name)).not.toContain('PasswordChangedNoticeRole');
    expect(ofTypeIn(template, 'AWS::DynamoDB::Table').map(([name]) => name)).toEqual(['UsersTable']);
    expect(variablesOf(template)).not.toHaveProperty('NOTICE_FROM_ADDRESS');
  });

  it.each([
    ['only the sender', { fromAddress: 'no-reply@example.com' }, ''],
    ['only the bus', { fromAddress: '' }, EVENT_BUS],
    ['both', { fromAddress: 'no-reply@example.com' }, EVENT_BUS],
  ])('keeps the function, at initialize, with %s set', async (_case, notice, eventBusName) => {
    // The plugin's own decision, on the configuration serverless hands it (a full package each is slow).
    const require = createRequire(import.meta.url);
    const Plugin = require('../../scripts/local/serverless-plugin.cjs') as new (sls: unknown, options: unknown) => { hooks: { initialize: () => Promise<void> } };
    const service = { custom: { notice, eventBusName }, provider: { stage: 'prod' }, functions: { changePassword: {}, passwordChangedNotice: {} } };
    await new Plugin({ service, processedInput: { commands: ['print'] } }, {}).hooks.initialize();
    expect(Object.keys(service.functions)).toEqual(notice.fromAddress !== '' && eventBusName !== '' ? ['changePassword', 'passwordChangedNotice'] : ['changePassword']);
  });

  it('with both set, runs the notice from the bundle on nodejs24.x arm64 with its own settings, and its own role', () => {
    const fn = created(configured)[NOTICE_FUNCTION];
    expect(fn?.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'functions/password-changed-notice/handler.handler', Role: { 'Fn::GetAtt': ['PasswordChangedNoticeRole', 'Arn'] } });
    expect(variablesOf(configured, NOTICE_FUNCTION)).toMatchObject({ ...NOTICE, IDEMPOTENCY_TABLE: 'change-password-idempotency-prod', ...EXISTING_LAYOUT });
  });

  it('with both set, triggers it by a rule on the platform\'s bus for source change-password, detail-type PasswordChanged, and creates no bus', () => {
    const rules = ofTypeIn(configured, 'AWS::Events::Rule').map(([, r]) => r.Properties);
    expect(rules).toEqual([expect.objectContaining({
      EventBusName: EVENT_BUS,
      EventPattern: { source: [PASSWORD_CHANGED_EVENT.source], 'detail-type': [PASSWORD_CHANGED_EVENT.detailType] },
      State: 'ENABLED',
      Targets: [expect.objectContaining({ Arn: { 'Fn::GetAtt': [NOTICE_FUNCTION, 'Arn'] } })],
    })]);
    expect(ofTypeIn(configured, 'AWS::Events::EventBus')).toEqual([]);
    const permissions = ofTypeIn(configured, 'AWS::Lambda::Permission').map(([, r]) => r.Properties).filter((p) => p.Principal === 'events.amazonaws.com');
    expect(JSON.stringify(permissions)).toContain(`"rule","${EVENT_BUS}","change-password-prod-passwordChangedNotice-rule-1"`);
  });

  it('with both set, retries a failed invocation twice within 6 hours (Lambda\'s asynchronous invocation), then sends it to its dead-letter queue', () => {
    const [[, config] = []] = ofTypeIn(configured, 'AWS::Lambda::EventInvokeConfig');
    expect(config?.Properties).toMatchObject({ FunctionName: { Ref: NOTICE_FUNCTION }, MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600, DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['NoticeDeadLetterQueue', 'Arn'] } } } });
    expect(created(configured).NoticeDeadLetterQueue?.Properties).toEqual({ QueueName: 'change-password-prod-password-changed-notice-dlq', SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
  });

  it('with both set, creates the idempotency table: key id (S), TTL on expiration, on demand, encrypted', () => {
    expect(created(configured).IdempotencyTable?.Properties).toEqual({
      TableName: 'change-password-idempotency-prod',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('with both set, grants the notice exactly its calls: its logs, GetItem on the users table, the idempotency items, ses:SendEmail on the sender\'s identities', () => {
    const sub = (arn: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:${arn}` });
    expect(roleStatements(configured, 'PasswordChangedNoticeRole')).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: sub('logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/change-password-prod-passwordChangedNotice:*') },
      { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: EXISTING_TABLE_ARN },
      { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], Resource: { 'Fn::GetAtt': ['IdempotencyTable', 'Arn'] } },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['NoticeDeadLetterQueue', 'Arn'] } },
      {
        Effect: 'Allow',
        Action: 'ses:SendEmail',
        Resource: [
          sub(`ses:\${AWS::Region}:\${AWS::AccountId}:identity/${NOTICE.NOTICE_FROM_ADDRESS}`),
          { 'Fn::Join': ['', [sub('ses:${AWS::Region}:${AWS::AccountId}:identity/'), { 'Fn::Select': [1, { 'Fn::Split': ['@', NOTICE.NOTICE_FROM_ADDRESS] }] }]] },
        ],
      },
    ]);
    const trust = created(configured).PasswordChangedNoticeRole?.Properties.AssumeRolePolicyDocument;
    expect(trust).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  });

  it('with both set, leaves the change function\'s role as it was: no SES, no idempotency table', () => {
    const actions = roleStatements(configured).flatMap((s) => s.Action);
    expect(actions.filter((a) => a.startsWith('ses:'))).toEqual([]);
    expect(JSON.stringify(roleStatements(configured))).not.toContain('IdempotencyTable');
  });
});

describe('sls package: the PasswordChanged relay (passwordChangedRelay)', () => {
  const RELAY_FUNCTION = 'PasswordChangedRelayLambdaFunction';
  const ofTypeIn = (t: Template, type: string) => Object.entries(created(t)).filter(([, r]) => r.Type === type).map(([name]) => name);

  it('is not deployed without EVENT_BUS_NAME: no function, stream, mapping, queue, role or alarm, and the table keeps no stream', () => {
    expect(ofTypeIn(template, 'AWS::Lambda::Function')).not.toContain(RELAY_FUNCTION);
    for (const type of ['AWS::Lambda::EventSourceMapping', 'AWS::SQS::Queue', 'AWS::CloudWatch::Alarm']) expect(ofTypeIn(template, type)).toEqual([]);
    expect(ofTypeIn(template, 'AWS::IAM::Role')).not.toContain('PasswordChangedRelayRole');
    expect(chosen(template, resources.UsersTable?.Properties.StreamSpecification)).toEqual({ Ref: 'AWS::NoValue' });
  });

  it('with EVENT_BUS_NAME, runs from the bundle on nodejs24.x arm64 with its own role, and streams the table it creates (NEW_IMAGE)', () => {
    expect(created(configured)[RELAY_FUNCTION]?.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'functions/password-changed-relay/handler.handler', Role: { 'Fn::GetAtt': ['PasswordChangedRelayRole', 'Arn'] } });
    expect(variablesOf(configured, RELAY_FUNCTION)).toMatchObject({ EVENT_BUS_NAME: EVENT_BUS, ...EXISTING_LAYOUT });
    expect(chosen(global3, created(global3).PasswordChangedRelayStream?.Properties.EventSourceArn)).toEqual({ 'Fn::GetAtt': ['UsersGlobalTable', 'StreamArn'] });
  });

  it('reads the stream from its oldest record, filtered to this Region\'s pending events, retrying a failing record (split, reported) for 6 hours before its dead-letter queue', () => {
    const mapping = created(configured).PasswordChangedRelayStream?.Properties;
    expect({ ...mapping, EventSourceArn: chosen(configured, mapping?.EventSourceArn) }).toEqual({
      EventSourceArn: EXISTING_STREAM_ARN,
      FunctionName: { Ref: RELAY_FUNCTION },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 10,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: -1,
      MaximumRecordAgeInSeconds: 21600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['RelayDeadLetterQueue', 'Arn'] } } },
      FilterCriteria: { Filters: [{ Pattern: { 'Fn::Sub': [expect.any(String), { attribute: 'outbox' }] } }] },
    });
    // The attribute as USERS_ATTRIBUTE_NAMES renames it, and the Region the stack deploys to.
    const [pattern] = ((mapping?.FilterCriteria ?? { Filters: [] }) as { Filters: { Pattern: { 'Fn::Sub': [string] } }[] }).Filters[0]?.Pattern['Fn::Sub'] ?? [];
    expect(JSON.parse(pattern ?? '')).toEqual({ dynamodb: { NewImage: { '${attribute}': { L: { M: { region: { S: ['${AWS::Region}'] } } } } } } });
    expect(created(configured).RelayDeadLetterQueue?.Properties).toEqual({ QueueName: 'change-password-prod-password-changed-relay-dlq', SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
  });

  it('grants the relay exactly its calls: its logs, the stream, PutEvents on the one bus, the pending events alone on the users table, its queue', () => {
    expect(roleStatements(configured, 'PasswordChangedRelayRole').map((statement) => ({ ...statement, Resource: chosen(configured, statement.Resource) }))).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/change-password-prod-passwordChangedRelay:*' } },
      { Effect: 'Allow', Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'], Resource: EXISTING_STREAM_ARN },
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:event-bus/${EVENT_BUS}` } },
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Resource: EXISTING_TABLE_ARN,
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk', 'outbox'] }, StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE', 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' } },
      },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['RelayDeadLetterQueue', 'Arn'] } },
    ]);
  });

  it('with ALARM_TOPIC_ARN, alarms the topic when a dead-letter queue holds a message, when the relay falls 5 minutes behind, and on 5 answers 5xx in 5 minutes', () => {
    const alarms = Object.fromEntries(Object.entries(created(configured)).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm').map(([name, r]) => [name, r.Properties]));
    expect(Object.keys(alarms).sort()).toEqual(['ChangePasswordServerErrorsAlarm', 'NoticeDeadLetterAlarm', 'RelayBehindAlarm', 'RelayDeadLetterAlarm']);
    for (const alarm of Object.values(alarms)) expect(alarm).toMatchObject({ AlarmActions: [ALARM_TOPIC_ARN], TreatMissingData: 'notBreaching' });
    expect(alarms.RelayDeadLetterAlarm).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['RelayDeadLetterQueue', 'QueueName'] } }], Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    expect(alarms.NoticeDeadLetterAlarm).toMatchObject({ Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['NoticeDeadLetterQueue', 'QueueName'] } }], Threshold: 0 });
    expect(alarms.RelayBehindAlarm).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'IteratorAge', Dimensions: [{ Name: 'FunctionName', Value: { Ref: RELAY_FUNCTION } }], Statistic: 'Maximum', Threshold: 300_000 });
    // The change function's own metric: PasswordChangeFailed under the reasons of 9001 and 9000.
    const reasons = ((alarms.ChangePasswordServerErrorsAlarm?.Metrics ?? []) as { MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] } } }[])
      .flatMap((m) => (m.MetricStat === undefined ? [] : [m.MetricStat.Metric]));
    expect(reasons).toEqual(['SERVICE_UNAVAILABLE', 'INTERNAL'].map((reason) => ({ Namespace: 'ChangePassword', MetricName: 'PasswordChangeFailed', Dimensions: [{ Name: 'service', Value: 'change-password' }, { Name: 'reason', Value: reason }] })));
    expect(alarms.ChangePasswordServerErrorsAlarm).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
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
    expect(chosen(template, statements.find((s) => s.Action === 'dynamodb:GetItem')?.Resource)).toEqual({ 'Fn::GetAtt': ['UsersTable', 'Arn'] });
    expect(chosen(global3, roleStatements(global3, 'TokenAuthorizerRole').find((s) => s.Action === 'dynamodb:GetItem')?.Resource)).toEqual({ 'Fn::GetAtt': ['UsersGlobalTable', 'Arn'] });
    expect(roleStatements(configured, 'TokenAuthorizerRole').find((s) => s.Action === 'dynamodb:GetItem')?.Resource).toBe(EXISTING_TABLE_ARN);
  });

  it('with TRACING=true, is traced like the change function, its role allowed the two X-Ray calls', () => {
    expect(configured.Resources.TokenAuthorizerLambdaFunction?.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    expect(roleStatements(configured, 'TokenAuthorizerRole').flatMap((s) => s.Action)).toEqual(expect.arrayContaining(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']));
    expect(roleStatements(configured, 'SessionRole').flatMap((s) => s.Action)).toEqual(expect.arrayContaining(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']));
    expect(configured.Resources.PasswordChangedNoticeLambdaFunction?.Properties.TracingConfig).toEqual({ Mode: 'PassThrough' });
    expect(roleStatements(configured, 'PasswordChangedNoticeRole').flatMap((s) => s.Action).filter((a) => a.startsWith('xray:'))).toEqual([]);
    expect(roleStatements(template, 'SessionRole').flatMap((s) => s.Action).filter((a) => a.startsWith('xray:'))).toEqual([]);
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

  it('carries none of the change function’s password machinery (strings of bcryptjs, zxcvbn-ts, its word lists, the range client)', async () => {
    const read = async (zipName: string) =>
      (await run('python3', ['-c', 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); sys.stdout.write(z.read(z.namelist()[0]).decode())', join(dir, zipName)], { maxBuffer: 8 * 1024 * 1024 })).stdout;
    const markers = ['Invalid salt version', 'trustno1', 'l33t', 'bcrypt', 'Add-Padding'];
    const [authorizer, change] = [await read('tokenAuthorizer.zip'), await read('changePassword.zip')];
    expect(markers.filter((m) => !change.includes(m))).toEqual([]);
    expect(markers.filter((m) => authorizer.includes(m))).toEqual([]);
  });
});

describe('the password policy function (GET /v1/password-policy)', () => {
  it('is routed without the authorizer, runs with a role that writes its logs only, and ships one small bundled file', async () => {
    expect(resources.HttpApiRouteGetV1PasswordDashpolicy?.Properties).toMatchObject({ RouteKey: `${PASSWORD_POLICY_ROUTE.method} ${PASSWORD_POLICY_ROUTE.path}` });
    expect(resources.HttpApiRouteGetV1PasswordDashpolicy?.Properties).not.toHaveProperty('AuthorizerId');
    expect(resources.PasswordPolicyLambdaFunction?.Properties).toMatchObject({ Role: { 'Fn::GetAtt': ['PasswordPolicyRole', 'Arn'] } });
    expect(statementsOf(resources.PasswordPolicyRole).flatMap((s) => s.Action).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(roleStatements(configured, 'PasswordPolicyRole').flatMap((s) => s.Action)).toEqual(expect.arrayContaining(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']));
    const zip = join(dir, 'passwordPolicy.zip');
    const listing = (await run('python3', ['-c', 'import sys,zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', zip])).stdout;
    expect(listing.trim().split('\n')).toEqual(['functions/password-policy/handler.cjs']);
    expect(statSync(zip).size).toBeLessThan(30 * 1024);
  });
});
