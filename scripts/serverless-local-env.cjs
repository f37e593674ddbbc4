// A local serverless plugin: before `sls offline` and `sls invoke local` only, it gives the function
// the shell's JWT key source on stage local and validates the configuration the function will get,
// so a bad one stops the command with the message naming the variable (and a non-zero exit) instead
// of a server that answers 200 with a stack trace, or an invoke that hangs.
// The logic, in TypeScript, is scripts/local-function-env.ts (loaded through tsx, a dev dependency).
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

class LocalFunctionEnvironment {
  constructor(serverless, options) {
    // `initialize` runs before every lifecycle, so before invoke local copies the environment.
    this.hooks = {
      initialize: async () => {
        const command = serverless.processedInput.commands.join(' ');
        if (PACKAGING_COMMANDS.has(command)) checkExistingTable(serverless);
        if (!LOCAL_COMMANDS.has(command)) return;
        const { tsImport } = require('tsx/esm/api');
        const { prepareLocalFunction } = await tsImport('./local-function-env.ts', __filename);
        const { provider } = serverless.service;
        provider.environment = provider.environment || {};
        try {
          prepareLocalFunction(provider.environment, options.stage || provider.stage, process.env);
        } catch (error) {
          if (error.name !== 'ConfigError') throw error;
          throw new serverless.classes.Error(`Invalid configuration: ${error.message}`, 'CHANGE_PASSWORD_CONFIG');
        }
      },
    };
  }
}

module.exports = LocalFunctionEnvironment;
