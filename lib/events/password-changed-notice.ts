import { isIP } from 'node:net';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import * as v from 'valibot';
import type { NoticeOutcome, PasswordChange } from '../core/notify-owner.js';
import { cleanUserAgent } from '../core/password-changed.js';
import { PASSWORD_CHANGED_EVENT, type PasswordChangedDetail } from '../core/password-changed-event.js';

/**
 * How long a change's idempotency record lives: a delivery of an event of the same change within
 * it sends nothing. EventBridge retries a failed target for at most 24 hours (its default maximum
 * event age), and the relay publishes within the stream's 24 hours, so no duplicate outlives it.
 */
export const NOTICE_IDEMPOTENCY_SECONDS = 24 * 60 * 60;

/** The fields of the contract's detail that the notice reads; a field the contract does not have fails to compile. */
const detail = {
  userId: v.pipe(v.string(), v.minLength(1)),
  changedAt: v.pipe(v.string(), v.check((s) => !Number.isNaN(Date.parse(s)))),
  sourceIp: v.optional(v.string()),
  userAgent: v.optional(v.string()),
} satisfies { [K in keyof PasswordChangedDetail]?: v.GenericSchema<unknown, PasswordChangedDetail[K]> };

/** The `PasswordChanged` event as EventBridge delivers it (lib/core/password-changed-event.ts). */
const PasswordChangedEvent = v.object({
  id: v.pipe(v.string(), v.minLength(1)),
  source: v.literal(PASSWORD_CHANGED_EVENT.source),
  'detail-type': v.literal(PASSWORD_CHANGED_EVENT.detailType),
  detail: v.object({
    ...detail,
    // Absent only from events published before changes carried their identity: those are keyed by the event id.
    changeId: v.optional(v.pipe(v.string(), v.minLength(1))),
  }),
});

/** The idempotency key: the change's identity, so two events of one change (a retry, a second relay) send one notice. */
export const NOTICE_IDEMPOTENCY_KEY = 'detail.changeId || id';
type PasswordChangedEvent = v.InferOutput<typeof PasswordChangedEvent>;

/** What an invocation ends with: the use case's outcome, or an event that was not ours to read. */
export type NoticeResult = NoticeOutcome | { sent: false; reason: 'malformedEvent' };

export interface NoticeHandlerDeps {
  /** The use case, wired to its contact lookup and email sender (lib/compose.ts). */
  notify: (change: PasswordChange) => Promise<NoticeOutcome>;
  /** Powertools Idempotency's store (lib/adapters/dynamodb/idempotency-store.ts). */
  persistenceStore: BasePersistenceLayer;
  logger: Logger;
  /** Default {@link NOTICE_IDEMPOTENCY_SECONDS}. */
  expiresAfterSeconds?: number;
}

/** The change as the use case reads it. An IP that is not one is left out; the User-Agent is cleaned and, in the HTML, escaped. */
const changeOf = ({ id, detail }: PasswordChangedEvent): PasswordChange => ({
  changeId: detail.changeId ?? id,
  userId: detail.userId,
  changedAt: new Date(detail.changedAt),
  sourceIp: detail.sourceIp !== undefined && isIP(detail.sourceIp) !== 0 ? detail.sourceIp : undefined,
  // Cleaned again here: the bus may carry events this service did not write.
  userAgent: cleanUserAgent(detail.userAgent),
});

/**
 * The `passwordChangedNotice` function: an EventBridge target for `PasswordChanged`. At most one
 * email per change (Powertools Idempotency keyed on the event's `changeId`, records in
 * IDEMPOTENCY_TABLE): a second event of the same change, or a second delivery of one event, after
 * the first finished returns the saved outcome; one that overlaps a delivery still in
 * progress fails (IdempotencyAlreadyInProgressError) and is retried by EventBridge, by when the
 * first has finished. An owner without an address and a malformed event are logged and succeed
 * (a retry would not change them); a lookup or SES failure fails the invocation, so it is retried,
 * and its record is deleted so that the retry may send. Logs carry the event id, the change id, the
 * user id, the outcome and the names of skipped address attributes: never an address or the email's words.
 */
export const createNoticeHandler = ({ notify, persistenceStore, logger, expiresAfterSeconds = NOTICE_IDEMPOTENCY_SECONDS }: NoticeHandlerDeps) => {
  const handle = async (event: PasswordChangedEvent, _context: Context): Promise<NoticeOutcome> => {
    const outcome = await notify(changeOf(event)).catch((error: unknown) => {
      logger.error('Password change notice not sent; the event will be retried', { errorName: (error as Error).name });
      throw error;
    });
    const fields = { userId: event.detail.userId, outcome: outcome.sent ? 'sent' : outcome.reason };
    for (const { attribute, reason } of outcome.skipped) logger.warn('Password change notice address skipped', { ...fields, attribute, reason });
    if (outcome.sent) logger.info('Password change notice sent', { ...fields, recipients: outcome.recipients });
    else logger.warn('Password change notice skipped: the owner has no usable email address', fields);
    return outcome;
  };
  const config = new IdempotencyConfig({
    eventKeyJmesPath: NOTICE_IDEMPOTENCY_KEY,
    expiresAfterSeconds,
    // Stryker disable next-line BooleanLiteral: the schema lets no event through without a non-empty string id
    throwOnNoIdempotencyKey: true,
    responseHook: (response) => {
      logger.info('Password change notice already handled for this change; nothing sent');
      return response;
    },
  });
  const idempotent = makeIdempotent(handle, { persistenceStore, config });
  return async (event: unknown, context: Context): Promise<NoticeResult> => {
    logger.addContext(context);
    // Every line of this invocation names the event: set each time, so none carries the last one's.
    const { id, detail } = (event ?? {}) as { id?: unknown; detail?: { changeId?: unknown } };
    logger.appendKeys({ eventId: typeof id === 'string' ? id : null, changeId: typeof detail?.changeId === 'string' ? detail.changeId : null });
    const parsed = v.safeParse(PasswordChangedEvent, event);
    if (!parsed.success) {
      logger.error('PasswordChanged event malformed; skipped', { fields: parsed.issues.map((issue) => v.getDotPath(issue) ?? 'event') });
      return { sent: false, reason: 'malformedEvent' };
    }
    return idempotent(parsed.output, context);
  };
};
