// A local serverless plugin. On stage local it gives the functions that verify tokens their
// JWT_SECRET, which serverless.yml never sets: the development secret (lib/config/variables.ts),
// or for `sls offline` and `sls invoke local` the shell's key source. Before those two it also
// validates the configuration the functions will get, so a bad one stops the command with the
// message naming the variable (and a non-zero exit) instead of a server that answers 200 with a
// stack trace, or an invoke that hangs.
// The logic, in TypeScript, is scripts/local/function-env.ts (loaded through tsx: scripts/local/ts-import.cjs).
// It removes the passwordChangedNotice function unless NOTICE_FROM_ADDRESS and EVENT_BUS_NAME are set,
// and the passwordChangedRelay function unless EVENT_BUS_NAME is.
// Before `sls package` / `sls deploy` it also checks that USERS_TABLE_ARN names the USERS_TABLE
// table in the Region deployed to: otherwise the role would be granted one table and the function
// would call another. And the deploy-time settings serverless cannot check itself: the Regions of
// a global table (infra/users-global-table.yml) and LAMBDA_MEMORY_MB.
'use strict';

const { regions } = require('../../infra/users-table-regions.cjs');
const { importTs } = require('./ts-import.cjs');

const LOCAL_COMMANDS = new Set(['offline', 'offline start', 'invoke local']);
const PACKAGING_COMMANDS = new Set(['package', 'deploy']);

/** A DynamoDB table ARN in any partition, and the table name in it. */
const TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:([a-z0-9-]+):\d{12}:table\/([A-Za-z0-9_.-]{3,255})$/;
/** An AWS Region name: eu-west-1, us-gov-west-1, ap-southeast-5. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** LAMBDA_MEMORY_MB's range, Lambda's memory bounds in MB, from the one table of variables. */
const memoryRange = async () => {
  const { VARIABLES } = await importTs('../../lib/config/variables.ts', __filename);
  return VARIABLES.LAMBDA_MEMORY_MB.range;
};

const refuse = (serverless, message) => new serverless.classes.Error(`Invalid configuration: ${message}`, 'CHANGE_PASSWORD_CONFIG');

const checkExistingTable = (serverless) => {
  const { usersTableArn: arn, usersTable: table, usersTableReplicaRegions: replicas } = serverless.service.custom;
  if (!arn) return;
  const named = TABLE_ARN.exec(arn);
  if (named === null || named[2] !== table) {
    throw refuse(serverless, `USERS_TABLE_ARN must be the ARN of the table USERS_TABLE names, arn:aws:dynamodb:<region>:<account>:table/${table} (got "${arn}")`);
  }
  // The function calls DynamoDB in its own Region: a global table's replica there.
  const region = serverless.service.provider.region;
  if (named[1] !== region) throw refuse(serverless, `USERS_TABLE_ARN must name the table in the Region deployed to, ${region} (got "${arn}")`);
  if (replicas) throw refuse(serverless, 'USERS_TABLE_ARN (an existing table) and USERS_TABLE_REPLICA_REGIONS (a table to create) exclude each other');
  checkExistingStream(serverless, named[0]);
};

/** A DynamoDB stream ARN: the table's ARN, `/stream/`, the stream's label. */
const STREAM_ARN = /^(arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[A-Za-z0-9_.-]{3,255})\/stream\/[0-9A-Za-z:.-]+$/;

/**
 * With a bus, the relay reads the table's stream: the platform's own table must have one (NEW_IMAGE
 * or NEW_AND_OLD_IMAGES), named by USERS_TABLE_STREAM_ARN, since this stack cannot turn it on.
 */
const checkExistingStream = (serverless, tableArn) => {
  const { eventBusName, existingUsersTableStreamArn: stream = '' } = serverless.service.custom;
  if (!eventBusName) return;
  const named = STREAM_ARN.exec(stream);
  if (named === null || named[1] !== tableArn) {
    throw refuse(serverless, `with EVENT_BUS_NAME and USERS_TABLE_ARN, USERS_TABLE_STREAM_ARN must name that table's stream (StreamViewType NEW_IMAGE or NEW_AND_OLD_IMAGES), ${tableArn}/stream/<label> (got "${stream}")`);
  }
};

/**
 * A multi-Region strongly consistent global table has three replicas, or two and a witness, in
 * distinct Regions, and is created by the stack of one of its replica Regions. Which Region sets
 * support MRSC is AWS's to say (docs/deploy.md); CloudFormation refuses the others.
 */
const checkGlobalTable = (serverless) => {
  const { usersTableReplicaRegions, usersTableWitnessRegion } = serverless.service.custom;
  const replicas = regions(usersTableReplicaRegions);
  const witnesses = regions(usersTableWitnessRegion);
  if (replicas.length === 0) {
    if (witnesses.length > 0) throw refuse(serverless, 'USERS_TABLE_WITNESS_REGION needs USERS_TABLE_REPLICA_REGIONS (two replica Regions)');
    return;
  }
  const all = [...replicas, ...witnesses];
  const bad = all.find((region) => !REGION.test(region));
  if (bad !== undefined) throw refuse(serverless, `USERS_TABLE_REPLICA_REGIONS and USERS_TABLE_WITNESS_REGION must be Region names such as eu-west-1 (got "${bad}")`);
  if (new Set(all).size !== all.length) throw refuse(serverless, `USERS_TABLE_REPLICA_REGIONS and USERS_TABLE_WITNESS_REGION must name distinct Regions (got "${all.join(',')}")`);
  if (!((replicas.length === 3 && witnesses.length === 0) || (replicas.length === 2 && witnesses.length === 1))) {
    throw refuse(serverless, `USERS_TABLE_REPLICA_REGIONS must name three Regions, or two with one USERS_TABLE_WITNESS_REGION (got "${usersTableReplicaRegions}", witness "${usersTableWitnessRegion}")`);
  }
  const region = serverless.service.provider.region;
  if (!replicas.includes(region)) throw refuse(serverless, `USERS_TABLE_REPLICA_REGIONS must include the Region deployed to, ${region} (got "${usersTableReplicaRegions}")`);
};

const checkMemory = (serverless, { min, max }) => {
  const { provider } = serverless.service;
  const memory = Number(provider.memorySize);
  if (!Number.isInteger(memory) || memory < min || memory > max) {
    throw refuse(serverless, `LAMBDA_MEMORY_MB must be a whole number of MB from ${min} to ${max} (got "${provider.memorySize}")`);
  }
  provider.memorySize = memory;
};

/** The function infra/notice-function.yml defines, and what it needs to exist. */
const NOTICE_FUNCTION = 'passwordChangedNotice';
/** The function infra/relay-function.yml defines: only with a bus to publish on. */
const RELAY_FUNCTION = 'passwordChangedRelay';

/**
 * The notice is deployed only when both its sender and the bus it listens on are set: otherwise its
 * function goes before anything is packaged, served or invoked (its resources carry the
 * DeployNotice condition, which says the same).
 */
const dropNoticeUnlessConfigured = (service) => {
  const { notice, eventBusName } = service.custom;
  if (!notice.fromAddress || !eventBusName) delete service.functions[NOTICE_FUNCTION];
  if (!eventBusName) delete service.functions[RELAY_FUNCTION];
};

/** Refuses a notice whose cold start would fail (e.g. no NOTICE_RESET_URL), before it is packaged or invoked. */
const checkNoticeEnvironment = async (serverless) => {
  const notice = serverless.service.functions[NOTICE_FUNCTION];
  const { validateNoticeEnvironment } = await importTs('./function-env.ts', __filename);
  try {
    validateNoticeEnvironment(notice.environment ?? {});
  } catch (error) {
    if (error.name !== 'ConfigError') throw error;
    throw new serverless.classes.Error(`Invalid configuration of ${NOTICE_FUNCTION}: ${error.message}`, 'CHANGE_PASSWORD_CONFIG');
  }
};

class LocalFunctionEnvironment {
  constructor(serverless, options) {
    this.serverless = serverless;
    // `initialize` runs before every lifecycle, so before invoke local copies the environment.
    this.hooks = {
      initialize: async () => {
        const command = serverless.processedInput.commands.join(' ');
        dropNoticeUnlessConfigured(serverless.service);
        // serverless-offline has no stream to feed it: npm start sweeps pending events itself (scripts/local/relay.ts).
        if (command.startsWith('offline')) delete serverless.service.functions[RELAY_FUNCTION];
        if (PACKAGING_COMMANDS.has(command)) {
          checkExistingTable(serverless);
          checkGlobalTable(serverless);
        }
        const { provider } = serverless.service;
        const stage = options.stage || provider.stage;
        const local = LOCAL_COMMANDS.has(command);
        const noticeDeployed = serverless.service.functions[NOTICE_FUNCTION] !== undefined;
        if (noticeDeployed && (PACKAGING_COMMANDS.has(command) || (local && options.function === NOTICE_FUNCTION))) await checkNoticeEnvironment(serverless);
        if (!local && stage !== 'local') return;
        const { prepareLocalFunctions, setJwtSecret, stageLocalSecret } = await importTs('./function-env.ts', __filename);
        const { functions } = serverless.service;
        if (!local) {
          // A stage-local package: the development secret, never the packaging shell's.
          setJwtSecret(functions, stageLocalSecret(stage));
          return;
        }
        try {
          prepareLocalFunctions(functions, stage, process.env);
        } catch (error) {
          if (error.name !== 'ConfigError') throw error;
          throw new serverless.classes.Error(`Invalid configuration: ${error.message}`, 'CHANGE_PASSWORD_CONFIG');
        }
      },
    };
  }

  // Here, not in a hook: serverless validates provider.memorySize against its schema after the
  // plugins' asyncInit and before any hook, with a message that does not name the variable.
  async asyncInit() {
    if (PACKAGING_COMMANDS.has(this.serverless.processedInput.commands.join(' '))) checkMemory(this.serverless, await memoryRange());
  }
}

module.exports = LocalFunctionEnvironment;
// For tests/deploy/packaging-checks.test.ts: the checks without a whole `sls package` each.
module.exports.packagingChecks = { checkExistingTable, checkGlobalTable, checkMemory, checkExistingStream };
