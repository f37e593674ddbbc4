/**
 * The `PasswordChanged` event: the contract between the change function, which publishes it on
 * EventBridge (lib/adapters/eventbridge), and whoever consumes it, the passwordChangedNotice
 * function first (lib/events). Its `source` and `detail-type` are what EventBridge rules match on
 * (infra/notice-function.yml, the platform's own rules), so they are written here once; the YAML,
 * the sample event (events/notice/) and the docs are held to them by tests/project/one-source.test.ts.
 */

/** The EventBridge `source` and `detail-type` of the event published after a change. */
export const PASSWORD_CHANGED_EVENT = { source: 'change-password', detailType: 'PasswordChanged' } as const;

/** The event's `detail`: who, when and from where; never a password, hash or token. */
export interface PasswordChangedDetail {
  /** The token's `sub`. */
  userId: string;
  /** When the change was written, ISO 8601: the record's `passwordChangedAt`. */
  changedAt: string;
  /** API Gateway's id of the request that made the change, when known. */
  requestId?: string | undefined;
  /** The client's IP as API Gateway saw it, when known. */
  sourceIp?: string | undefined;
}

/** The detail of a change, in the order it is serialised (an unknown field is left out of the JSON). */
export const passwordChangedDetail = ({ userId, changedAt, requestId, sourceIp }: { userId: string; changedAt: Date; requestId: string | undefined; sourceIp: string | undefined }): PasswordChangedDetail => ({
  userId,
  changedAt: changedAt.toISOString(),
  requestId,
  sourceIp,
});
