// What infra/relay.yml needs of the users table's layout (USERS_KEY, USERS_ATTRIBUTE_NAMES), which
// only the TypeScript configuration can read: the attribute holding pending events (for the event
// source mapping's filter) and the attributes the relay may touch (for its IAM conditions). Read with
// the same parser as the functions' (lib/config/user-access.ts), through tsx; bad values are refused
// with a message by scripts/local/serverless-plugin.cjs before anything is built.
'use strict';

const { importTs } = require('../scripts/local/ts-import.cjs');

const layout = async () => {
  const { loadTableLayout } = await importTs('../lib/config/user-access.ts', __filename);
  try {
    return loadTableLayout(process.env);
  } catch {
    return loadTableLayout({});
  }
};

/**
 * The filter: only records whose new image holds a pending event recorded in this Region. Each
 * Region of a global table relays the changes it accepted; the relay reads what is pending anyway.
 */
module.exports.pattern = async () => {
  const attribute = (await layout()).attributes.pendingPasswordChanged;
  return {
    'Fn::Sub': [
      JSON.stringify({ dynamodb: { NewImage: { '${attribute}': { L: { M: { region: { S: ['${AWS::Region}'] } } } } } } }),
      { attribute },
    ],
  };
};

/** The attributes the relay reads and writes: the item's key and the pending events, nothing else. */
module.exports.attributes = async () => {
  const { key, attributes } = await layout();
  return [...key.map(({ attribute }) => attribute), attributes.pendingPasswordChanged];
};
