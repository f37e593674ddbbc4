// How the CommonJS files serverless loads (scripts/local/serverless-plugin.cjs, infra/*.cjs) read
// this project's TypeScript: through tsx, a dev dependency, whose hooks are taken away again once
// the module is loaded. tsx's own tsImport leaves them in place (one more set per call), and
// serverless loads thousands of modules after its configuration is read: each would go through
// every set, with source maps on, for about half a second of CPU per command. Each module is
// imported once per process.
'use strict';

const { randomUUID } = require('node:crypto');
const { resolve, dirname } = require('node:path');
const { register } = require('tsx/esm/api');

const loaded = new Map();

/** The module at `specifier` (relative to the file `parent`), imported through tsx. */
const importTs = (specifier, parent) => {
  const path = resolve(dirname(parent), specifier);
  if (!loaded.has(path)) {
    const tsx = register({ namespace: randomUUID() });
    loaded.set(path, tsx.import(path, parent).finally(() => tsx.unregister()));
  }
  return loaded.get(path);
};

module.exports = { importTs };
