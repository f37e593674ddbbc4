// The Replicas and GlobalTableWitnesses of infra/users-global-table.yml, from the comma-separated
// USERS_TABLE_REPLICA_REGIONS and USERS_TABLE_WITNESS_REGION (serverless.yml `custom`). CloudFormation
// cannot turn a list of names into a list of objects, so serverless resolves these at packaging.
// Bad values are refused with a message by scripts/local/serverless-plugin.cjs, so nothing here throws.
'use strict';

const regions = (text) => String(text || '').split(',').map((region) => region.trim()).filter((region) => region !== '');

module.exports.regions = regions;

module.exports.replicas = async ({ resolveVariable }) => {
  const deletionProtection = await resolveVariable('self:custom.usersTableDeletionProtection');
  return regions(await resolveVariable('self:custom.usersTableReplicaRegions')).map((Region) => ({
    Region,
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    DeletionProtectionEnabled: deletionProtection === true || deletionProtection === 'true',
  }));
};

/** The witness, or no property at all (three replicas). */
module.exports.witnesses = async ({ resolveVariable }) => {
  const witness = regions(await resolveVariable('self:custom.usersTableWitnessRegion'));
  return witness.length === 0 ? { Ref: 'AWS::NoValue' } : witness.map((Region) => ({ Region }));
};
