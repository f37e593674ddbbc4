import { isIP } from 'node:net';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import * as v from 'valibot';
import type { NoticeOutcome, PasswordChange } from '../core/notify-owner.js';

/**
 * How long an event's idempotency record lives: a delivery of the same event `id` within it sends
 * nothing. EventBridge retries a failed target for at most 24 hours (its default maximum event
 * age), so no retry outlives the record.
 */
export const NOTICE_IDEMPOTENCY_SECONDS = 24 * 60 * 60;

/** The `PasswordChanged` event as the change function publishes it (lib/adapters/eventbridge). */
const PasswordChangedEvent = v.object({
  id: v.pipe(v.string(), v.minLength(1)),
  source: v.literal('change-password'),
  'detail-type': v.literal('PasswordChanged'),
  detail: v.object({
    userId: v.pipe(v.string(), v.minLength(1)),
    changedAt: v.pipe(v.string(), v.check((s) => !Number.isNaN(Date.parse(s)))),
    sourceIp: v.optional(v.string()),
  }),
});
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

/** The change as the use case reads it. An IP that is not one is left out, so the email never repeats arbitrary text. */
const changeOf = ({ detail }: PasswordChangedEvent): PasswordChange => ({
  userId: detail.userId,
  changedAt: new Date(detail.changedAt),
  sourceIp: detail.sourceIp !== undefined && isIP(detail.sourceIp) !== 0 ? detail.sourceIp : undefined,
});

/**
 * The `passwordChangedNotice` function: an EventBridge target for `PasswordChanged`. At most one
 * email per event `id` (Powertools Idempotency, records in IDEMPOTENCY_TABLE): a second delivery
 * after the first finished returns the saved outcome; one that overlaps a delivery still in
 * progress fails (IdempotencyAlreadyInProgressError) and is retried by EventBridge, by when the
 * first has finished. An owner without an address and a malformed event are logged and succeed
 * (a retry would not change them); a lookup or SES failure fails the invocation, so it is retried,
 * and its record is deleted so that the retry may send. Logs carry the event id, the user id and
 * the outcome: never the address or the email's words.
 */
export const createNoticeHandler = ({ notify, persistenceStore, logger, expiresAfterSeconds = NOTICE_IDEMPOTENCY_SECONDS }: NoticeHandlerDeps) => {
  const handle = async (event: PasswordChangedEvent, _context: Context): Promise<NoticeOutcome> => {
    const outcome = await notify(changeOf(event)).catch((error: unknown) => {
      logger.error('Password change notice not sent; the event will be retried', { errorName: (error as Error).name });
      throw error;
    });
    const fields = { userId: event.detail.userId, outcome: outcome.sent ? 'sent' : outcome.reason };
    if (outcome.sent) logger.info('Password change notice sent', fields);
    else logger.warn('Password change notice skipped: the owner has no usable email address', fields);
    return outcome;
  };
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'id',
    expiresAfterSeconds,
    // Stryker disable next-line BooleanLiteral: the schema lets no event through without a non-empty string id
    throwOnNoIdempotencyKey: true,
    responseHook: (response) => {
      logger.info('Password change notice already handled for this event; nothing sent');
      return response;
    },
  });
  const idempotent = makeIdempotent(handle, { persistenceStore, config });
  return async (event: unknown, context: Context): Promise<NoticeResult> => {
    logger.addContext(context);
    // Every line of this invocation names the event: set each time, so none carries the last one's.
    const id = (event as { id?: unknown } | null)?.id;
    logger.appendKeys({ eventId: typeof id === 'string' ? id : null });
    const parsed = v.safeParse(PasswordChangedEvent, event);
    if (!parsed.success) {
      logger.error('PasswordChanged event malformed; skipped', { fields: parsed.issues.map((issue) => v.getDotPath(issue) ?? 'event') });
      return { sent: false, reason: 'malformedEvent' };
    }
    return idempotent(parsed.output, context);
  };
};
