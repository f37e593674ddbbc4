// Each function's environment, as serverless.yml asks for it with
// `environment: ${file(infra/function-environment.cjs):<function>}`: the variables that
// lib/config/variables.ts says the function reads (their `functions`), each set to its value in
// serverless.yml `custom.environment`, and no other. A function no variable names gets none.
'use strict';

const { importTs } = require('../scripts/local/ts-import.cjs');

module.exports = async () => {
  // The table is TypeScript: loaded through tsx, a dev dependency, as scripts/local/serverless-plugin.cjs does.
  const { FUNCTIONS, functionVariables } = await importTs('../lib/config/variables.ts', __filename);
  return Object.fromEntries(
    FUNCTIONS.map((fn) => [fn, Object.fromEntries(functionVariables(fn).map((name) => [name, `\${self:custom.environment.${name}}`]))]),
  );
};
