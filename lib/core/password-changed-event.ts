/**
 * The `PasswordChanged` event: the contract between the change, whose write records it and whose
 * relay publishes it on EventBridge (lib/core/password-changed.ts, lib/adapters/eventbridge), and
 * whoever consumes it, the passwordChangedNotice function first (lib/events). Its `source` and
 * `detail-type` are what EventBridge rules match on (infra/notice-function.yml, the platform's own
 * rules), so they are written here once; the YAML, the sample event (events/notice/) and the docs
 * are held to them by tests/project/one-source.test.ts.
 */

/** The EventBridge `source` and `detail-type` of the event published for a change. */
export const PASSWORD_CHANGED_EVENT = { source: 'change-password', detailType: 'PasswordChanged' } as const;

/** The event's `detail`: which change, who, when, from where and with which client; never a password, hash, token or address. */
export interface PasswordChangedDetail {
  /** The change's identity: written with the change, the same in every publication of it. */
  changeId: string;
  /** The token's `sub`. */
  userId: string;
  /** When the change was written, ISO 8601: the record's `passwordChangedAt`. */
  changedAt: string;
  /** API Gateway's id of the request that made the change, when known. */
  requestId?: string | undefined;
  /** The client's IP as API Gateway saw it, when known. */
  sourceIp?: string | undefined;
  /** The request's User-Agent, cleaned (lib/core/password-changed.ts `cleanUserAgent`), when known. */
  userAgent?: string | undefined;
  /**
   * Under OTHER_SESSIONS_ON_CHANGE=user-choice, what the request chose: `false` kept the user's
   * other sessions. Absent: the deployment always ends them.
   */
  signOutOtherSessions?: boolean | undefined;
}

/** The detail of a change, in the order it is serialised (an unknown field is left out of the JSON). */
export const passwordChangedDetail = ({ changeId, userId, changedAt, requestId, sourceIp, userAgent, signOutOtherSessions }: PasswordChangedDetail): PasswordChangedDetail => ({
  changeId,
  userId,
  changedAt,
  requestId,
  sourceIp,
  userAgent,
  // Only where the request was offered the choice: the default detail is as it always was.
  ...(signOutOtherSessions === undefined ? {} : { signOutOtherSessions }),
});
