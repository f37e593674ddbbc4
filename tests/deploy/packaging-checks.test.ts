import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { VARIABLES } from '../../lib/config/variables.js';

/**
 * The deploy-time settings scripts/local/serverless-plugin.cjs checks before `sls package` /
 * `sls deploy` builds anything, on the configuration serverless has resolved (package.test.ts
 * runs one refusal of each kind through a real `sls package`).
 */
interface Service {
  custom: Record<string, string>;
  provider: { region: string; memorySize?: unknown };
}
type Check = (serverless: { service: Service; classes: { Error: typeof Error } }) => void;
const { packagingChecks } = createRequire(import.meta.url)('../../scripts/local/serverless-plugin.cjs') as {
  packagingChecks: {
    checkExistingTable: Check;
    checkGlobalTable: Check;
    checkMemory: (...args: [...Parameters<Check>, { min: number; max: number }]) => void;
    checkExistingStream: (serverless: Parameters<Check>[0], tableArn: string) => void;
  };
};

const TABLE = 'platform-users';
const serverlessWith = (custom: Record<string, string>, provider: Partial<Service['provider']> = {}) => ({
  service: { custom: { usersTable: TABLE, usersTableArn: '', usersTableReplicaRegions: '', usersTableWitnessRegion: '', ...custom }, provider: { region: 'eu-west-1', ...provider } },
  classes: { Error },
});
const refusal = (check: Check, serverless: ReturnType<typeof serverlessWith>): string => {
  try {
    check(serverless);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('USERS_TABLE_REPLICA_REGIONS and USERS_TABLE_WITNESS_REGION at packaging', () => {
  it.for([
    { replicas: 'eu-west-1,eu-west-2,eu-west-3', witness: '' },
    { replicas: ' eu-west-2 ,eu-west-1', witness: 'eu-west-3' },
    { replicas: 'us-east-1,us-east-2,us-west-2', witness: '', region: 'us-east-2' },
    { replicas: '', witness: '' },
  ])('accepts replicas "$replicas" with witness "$witness"', ({ replicas, witness, region }) => {
    const serverless = serverlessWith({ usersTableReplicaRegions: replicas, usersTableWitnessRegion: witness }, region === undefined ? {} : { region });
    expect(refusal(packagingChecks.checkGlobalTable, serverless)).toBe('');
  });

  it.for([
    { replicas: 'eu-west-1,eu-west-2', witness: '', message: 'USERS_TABLE_REPLICA_REGIONS must name three Regions, or two with one USERS_TABLE_WITNESS_REGION (got "eu-west-1,eu-west-2", witness "")' },
    { replicas: 'eu-west-1,eu-west-2,eu-west-3', witness: 'eu-central-1', message: 'must name three Regions, or two with one USERS_TABLE_WITNESS_REGION' },
    { replicas: 'eu-west-1,eu-west-2,eu-west-3,eu-central-1', witness: '', message: 'must name three Regions' },
    { replicas: 'eu-west-1', witness: 'eu-west-2', message: 'must name three Regions' },
    { replicas: 'eu-west-1,eu-west-2', witness: 'eu-west-2,eu-west-3', message: 'must name distinct Regions (got "eu-west-1,eu-west-2,eu-west-2,eu-west-3")' },
    { replicas: 'eu-west-1,eu-west-1,eu-west-2', witness: '', message: 'must name distinct Regions' },
    { replicas: 'eu-west-1,eu-west-2', witness: 'eu-west-1', message: 'must name distinct Regions' },
    { replicas: 'eu-west-1,Ireland,eu-west-3', witness: '', message: 'must be Region names such as eu-west-1 (got "Ireland")' },
    { replicas: 'eu-west-2,eu-west-3', witness: 'eu-west-1', message: 'USERS_TABLE_REPLICA_REGIONS must include the Region deployed to, eu-west-1 (got "eu-west-2,eu-west-3")' },
    { replicas: '', witness: 'eu-west-3', message: 'USERS_TABLE_WITNESS_REGION needs USERS_TABLE_REPLICA_REGIONS (two replica Regions)' },
  ])('refuses replicas "$replicas" with witness "$witness"', ({ replicas, witness, message }) => {
    const serverless = serverlessWith({ usersTableReplicaRegions: replicas, usersTableWitnessRegion: witness });
    const refused = refusal(packagingChecks.checkGlobalTable, serverless);
    expect(refused).toMatch(/^Invalid configuration: /);
    expect(refused).toContain(message);
  });
});

describe('USERS_TABLE_ARN at packaging', () => {
  const arn = (region: string) => `arn:aws:dynamodb:${region}:123456789012:table/${TABLE}`;

  it('accepts the USERS_TABLE table in the Region deployed to (a global table’s replica there)', () => {
    expect(refusal(packagingChecks.checkExistingTable, serverlessWith({ usersTableArn: arn('eu-west-2') }, { region: 'eu-west-2' }))).toBe('');
  });

  it('refuses a table in another Region: the function calls DynamoDB in its own', () => {
    expect(refusal(packagingChecks.checkExistingTable, serverlessWith({ usersTableArn: arn('eu-west-2') }))).toBe(
      `Invalid configuration: USERS_TABLE_ARN must name the table in the Region deployed to, eu-west-1 (got "${arn('eu-west-2')}")`,
    );
  });

  it('refuses an existing table together with a global table to create', () => {
    expect(refusal(packagingChecks.checkExistingTable, serverlessWith({ usersTableArn: arn('eu-west-1'), usersTableReplicaRegions: 'eu-west-1,eu-west-2,eu-west-3' }))).toBe(
      'Invalid configuration: USERS_TABLE_ARN (an existing table) and USERS_TABLE_REPLICA_REGIONS (a table to create) exclude each other',
    );
  });
});

describe('LAMBDA_MEMORY_MB at packaging, in the range of lib/config/variables.ts (which the plugin reads)', () => {
  const range = VARIABLES.LAMBDA_MEMORY_MB.range;
  const checkMemory: Check = (serverless) => packagingChecks.checkMemory(serverless, range);

  it.for([range.min, '1769', range.max])('accepts %s MB, as a number', (memorySize) => {
    const serverless = serverlessWith({}, { memorySize });
    expect(refusal(checkMemory, serverless)).toBe('');
    expect(serverless.service.provider.memorySize).toBe(Number(memorySize));
  });

  it.for([range.min - 1, String(range.max + 1), '1.5', 'lots', ''])('refuses %s', (memorySize) => {
    expect(refusal(checkMemory, serverlessWith({}, { memorySize }))).toBe(
      `Invalid configuration: LAMBDA_MEMORY_MB must be a whole number of MB from ${range.min} to ${range.max} (got "${memorySize}")`,
    );
  });
});

describe('USERS_TABLE_STREAM_ARN at packaging, with EVENT_BUS_NAME and USERS_TABLE_ARN', () => {
  const TABLE_ARN = `arn:aws:dynamodb:eu-west-1:123456789012:table/${TABLE}`;
  const check = (custom: Record<string, string>): string => refusal((serverless) => packagingChecks.checkExistingStream(serverless, TABLE_ARN), serverlessWith(custom));

  it('accepts that table\'s stream, or no stream without a bus', () => {
    expect(check({ eventBusName: 'bus', existingUsersTableStreamArn: `${TABLE_ARN}/stream/2026-01-01T00:00:00.000` })).toBe('');
    expect(check({ eventBusName: '', existingUsersTableStreamArn: '' })).toBe('');
  });

  it.each([
    ['none', ''],
    ['another table\'s', 'arn:aws:dynamodb:eu-west-1:123456789012:table/other/stream/2026-01-01T00:00:00.000'],
    ['the table itself', TABLE_ARN],
  ])('refuses %s: the relay would read nothing, or the wrong table', (_case, stream) => {
    expect(check({ eventBusName: 'bus', existingUsersTableStreamArn: stream })).toBe(
      `Invalid configuration: with EVENT_BUS_NAME and USERS_TABLE_ARN, USERS_TABLE_STREAM_ARN must name that table's stream (StreamViewType NEW_IMAGE or NEW_AND_OLD_IMAGES), ${TABLE_ARN}/stream/<label> (got "${stream}")`,
    );
  });
});
