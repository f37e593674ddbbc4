// The IAM role of each function listed in infra/function-roles.yml, all in one shape: trusted by
// Lambda; allowed to write its own log group; the two X-Ray calls when the function is traced
// actively (its `tracing`, else `provider.tracing.lambda`, as the framework reads them); then its
// own statements. serverless.yml includes the result under `resources`; the function names its
// role with `role: <Function>Role`.
'use strict';

const XRAY = { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' };

/** `tokenAuthorizer` → `TokenAuthorizerRole`, the logical id `role:` names. */
const roleId = (fn) => `${fn[0].toUpperCase()}${fn.slice(1)}Role`;
/** `tokenAuthorizer` → `token-authorizer`. */
const kebab = (fn) => fn.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

const role = (fn, { statements = [], condition }, traced) => ({
  Type: 'AWS::IAM::Role',
  ...(condition === undefined ? {} : { Condition: condition }),
  Properties: {
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    },
    Policies: [
      {
        PolicyName: `\${self:service}-\${sls:stage}-${kebab(fn)}`,
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            // Its own log group (the framework creates it with the function).
            {
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/\${self:service}-\${sls:stage}-${fn}:*` },
            },
            ...(traced ? [XRAY] : []),
            ...statements,
          ],
        },
      },
    ],
  },
});

/** Active tracing, as the framework decides it for a function. */
const isTraced = (mode) => mode === true || mode === 'Active';

module.exports = async ({ resolveVariable, resolveConfigurationProperty }) => {
  const roles = await resolveVariable('file(infra/function-roles.yml)');
  const tracing = await resolveConfigurationProperty(['provider', 'tracing', 'lambda']);
  const Resources = {};
  for (const [fn, own] of Object.entries(roles)) {
    const mode = await resolveConfigurationProperty(['functions', fn, 'tracing']);
    Resources[roleId(fn)] = role(fn, own, isTraced(mode || tracing));
  }
  return { Resources };
};
module.exports.roleId = roleId;
