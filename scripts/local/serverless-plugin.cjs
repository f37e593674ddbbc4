// A local serverless plugin. On stage local it gives the function its JWT_SECRET, which
// serverless.yml never names: the development secret (lib/config/variables.ts), or for `sls offline`
// and `sls invoke local` the shell's key source. Before those two it also validates the
// configuration the function will get, so a bad one stops the command with the message naming the
// variable (and a non-zero exit) instead of a server that answers 200 with a stack trace, or an
// invoke that hangs.
// The logic, in TypeScript, is scripts/local/function-env.ts (loaded through tsx, a dev dependency).
// It removes the passwordChangedNotice function unless NOTICE_FROM_ADDRESS and EVENT_BUS_NAME are set.
// Before `sls package` / `sls deploy` it also checks that USERS_TABLE_ARN names the USERS_TABLE
// table: otherwise the role would be granted one table and the function would call another.
'use strict';

const LOCAL_COMMANDS = new Set(['offline', 'offline start', 'invoke local']);
const PACKAGING_COMMANDS = new Set(['package', 'deploy']);

/** A DynamoDB table ARN in any partition, and the table name in it. */
const TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/([A-Za-z0-9_.-]{3,255})$/;

const checkExistingTable = (serverless) => {
  const { usersTableArn: arn, usersTable: table } = serverless.service.custom;
  if (!arn) return;
  const named = TABLE_ARN.exec(arn);
  if (named === null || named[1] !== table) {
    throw new serverless.classes.Error(
      `Invalid configuration: USERS_TABLE_ARN must be the ARN of the table USERS_TABLE names, arn:aws:dynamodb:<region>:<account>:table/${table} (got "${arn}")`,
      'CHANGE_PASSWORD_CONFIG',
    );
  }
};

/** The function infra/notice-function.yml defines, and what it needs to exist. */
const NOTICE_FUNCTION = 'passwordChangedNotice';

/**
 * The notice is deployed only when both its sender and the bus it listens on are set: otherwise its
 * function goes before anything is packaged, served or invoked (its resources carry the
 * DeployNotice condition, which says the same).
 */
const dropNoticeUnlessConfigured = (service) => {
  const { notice, eventBusName } = service.custom;
  if (!notice.fromAddress || !eventBusName) delete service.functions[NOTICE_FUNCTION];
};

/** Refuses a notice whose cold start would fail (e.g. no NOTICE_RESET_URL), before it is packaged or invoked. */
const checkNoticeEnvironment = async (serverless) => {
  const notice = serverless.service.functions[NOTICE_FUNCTION];
  const { tsImport } = require('tsx/esm/api');
  const { validateNoticeEnvironment } = await tsImport('./function-env.ts', __filename);
  try {
    validateNoticeEnvironment({ ...serverless.service.provider.environment, ...notice.environment });
  } catch (error) {
    if (error.name !== 'ConfigError') throw error;
    throw new serverless.classes.Error(`Invalid configuration of ${NOTICE_FUNCTION}: ${error.message}`, 'CHANGE_PASSWORD_CONFIG');
  }
};

class LocalFunctionEnvironment {
  constructor(serverless, options) {
    // `initialize` runs before every lifecycle, so before invoke local copies the environment.
    this.hooks = {
      initialize: async () => {
        const command = serverless.processedInput.commands.join(' ');
        dropNoticeUnlessConfigured(serverless.service);
        if (PACKAGING_COMMANDS.has(command)) checkExistingTable(serverless);
        const { provider } = serverless.service;
        const stage = options.stage || provider.stage;
        const local = LOCAL_COMMANDS.has(command);
        const noticeDeployed = serverless.service.functions[NOTICE_FUNCTION] !== undefined;
        if (noticeDeployed && (PACKAGING_COMMANDS.has(command) || (local && options.function === NOTICE_FUNCTION))) await checkNoticeEnvironment(serverless);
        if (!local && stage !== 'local') return;
        const { tsImport } = require('tsx/esm/api');
        const { prepareLocalFunction, stageLocalSecret } = await tsImport('./function-env.ts', __filename);
        provider.environment = provider.environment || {};
        if (!local) {
          // A stage-local package: the development secret, never the packaging shell's.
          provider.environment.JWT_SECRET = stageLocalSecret(stage);
          return;
        }
        try {
          prepareLocalFunction(provider.environment, stage, process.env);
        } catch (error) {
          if (error.name !== 'ConfigError') throw error;
          throw new serverless.classes.Error(`Invalid configuration: ${error.message}`, 'CHANGE_PASSWORD_CONFIG');
        }
      },
    };
  }
}

module.exports = LocalFunctionEnvironment;
