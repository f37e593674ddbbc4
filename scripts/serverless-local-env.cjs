// A local serverless plugin: before `sls offline` and `sls invoke local` only, it gives the function
// the shell's JWT key source on stage local and validates the configuration the function will get,
// so a bad one stops the command with the message naming the variable (and a non-zero exit) instead
// of a server that answers 200 with a stack trace, or an invoke that hangs.
// The logic, in TypeScript, is scripts/local-function-env.ts (loaded through tsx, a dev dependency).
'use strict';

const LOCAL_COMMANDS = new Set(['offline', 'offline start', 'invoke local']);

class LocalFunctionEnvironment {
  constructor(serverless, options) {
    // `initialize` runs before every lifecycle, so before invoke local copies the environment.
    this.hooks = {
      initialize: async () => {
        if (!LOCAL_COMMANDS.has(serverless.processedInput.commands.join(' '))) return;
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
