import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionalCheckFailedException, ReplicatedWriteConflictException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../../core/errors.js';
import type { PendingEvent } from '../../core/password-changed.js';
import type { Attempt, AttemptLimits, BeginAttemptOptions, PasswordReplacement, UserCredentials, UserStore } from '../../core/ports.js';
import { stepUpRefusal } from '../../core/step-up.js';
import { dependencyFailure } from './failure.js';
import { DEFAULT_LAYOUT, itemKey, PERSONAL_ATTRIBUTES, type TableLayout, type UserAttribute } from './table-layout.js';

const toCredentials = (userId: string, item: Record<string, unknown>, names: TableLayout['attributes']): UserCredentials => {
  const text = (name: UserAttribute): string | undefined => {
    const value = item[names[name]];
    return typeof value === 'string' ? value : undefined;
  };
  const stored = item[names.passwordHistory];
  const history = Array.isArray(stored) ? stored.filter((h): h is string => typeof h === 'string') : [];
  return {
    userId,
    passwordHash: text('passwordHash'),
    passwordChangedAt: text('passwordChangedAt'),
    passwordChangedBySession: text('passwordChangedBySession'),
    tokensValidFrom: text('tokensValidFrom'),
    passwordHistory: history,
    attributes: PERSONAL_ATTRIBUTES.map(text).filter((a): a is string => a !== undefined && a !== ''),
    mfaEnrolled: item[names.mfaEnrolled] === true,
  };
};

/**
 * The part of a change's write that says which tokens stay valid. Ending the other sessions: the
 * change is the not-before (no `tokensValidFrom`), its session the exception, and a change without
 * a session removes the recorded one, so an older session never outlives a later change. Keeping
 * them: the not-before is recorded as it was, and its exception left alone.
 */
const otherSessionsWrite = (sessionId: string | undefined, kept: PasswordReplacement['keptSessions']) => {
  if (kept !== undefined) return { set: ', #tokensValidFrom = :validFrom', remove: '', values: { ':validFrom': kept.tokensValidFrom } };
  if (sessionId === undefined) return { set: '', remove: ', #tokensValidFrom, #passwordChangedBySession', values: {} };
  return { set: ', #passwordChangedBySession = :session', remove: ', #tokensValidFrom', values: { ':session': sessionId } };
};

/**
 * The change's event joins the record's pending events in the change's own write (the outbox): one
 * item, no transaction, so a multi-Region strongly consistent table takes it, and the event exists
 * exactly when the change does. Appended, so an event still waiting from an earlier change stays.
 */
const pendingEventWrite = (event: PendingEvent | undefined) =>
  event === undefined ? { set: '', values: {} } : { set: ', #pendingPasswordChanged = list_append(if_not_exists(#pendingPasswordChanged, :noEvents), :event)', values: { ':noEvents': [], ':event': [event] } };

/**
 * A global table with multi-Region strong consistency refuses a write that conflicts with another
 * Region's write to the same item (ReplicatedWriteConflictException). The SDK has already retried
 * it (the error is retryable by its model: DYNAMO_LIMITS.maxAttempts calls in all); this is what is
 * left. Nothing was written by the refused call.
 */
const WRITE_CONFLICT = Symbol('replicated write conflict');
/** After the SDK's own retries, the attempt counter's writes are tried this many more times. */
export const ATTEMPT_CONFLICT_RETRIES = 2;
/** The wait before each of those, doubled each time, with jitter: another Region's write takes tens of ms. */
const CONFLICT_BACKOFF_MS = 50;

/**
 * The DynamoDB adapter. The item is addressed by its whole primary key (USERS_KEY) in every read,
 * condition and write, and every attribute by its configured name (USERS_ATTRIBUTE_NAMES), written
 * in expressions as `#<logical name>`, so other items of the same partition are never touched.
 */
export class DynamoUserStore implements UserStore {
  /** `#<logical name>` for every attribute, and `#key` for the partition key: "the item exists". */
  private readonly names: Record<string, string>;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly layout: TableLayout = DEFAULT_LAYOUT,
  ) {
    const partitionKey = layout.key[0]?.attribute;
    if (partitionKey === undefined) throw new TypeError('a table layout names at least its partition key');
    this.names = { '#key': partitionKey, ...Object.fromEntries(Object.entries(layout.attributes).map(([name, attribute]) => [`#${name}`, attribute])) };
  }

  async beginAttempt(userId: string, now: Date, limits: AttemptLimits, options: BeginAttemptOptions = {}): Promise<Attempt> {
    // A write conflict means another Region is writing this user's counter right now: try again
    // a bounded number of times, then answer 503 (retryable) rather than count or refuse wrongly.
    for (let retry = 0; ; retry += 1) {
      const attempt = await this.reserveAttempt(userId, now, limits, options);
      if (attempt !== WRITE_CONFLICT) return attempt;
      if (retry === ATTEMPT_CONFLICT_RETRIES) throw new AppError('SERVICE_UNAVAILABLE', { cause: { dependency: 'dynamodb', name: 'ReplicatedWriteConflictException' } });
      await sleep(CONFLICT_BACKOFF_MS * 2 ** retry * (0.5 + Math.random()));
    }
  }

  private async reserveAttempt(
    userId: string,
    now: Date,
    { maxAttempts, windowSeconds }: AttemptLimits,
    { refuseMfaEnrolled = false }: BeginAttemptOptions,
  ): Promise<Attempt | typeof WRITE_CONFLICT> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const expiredAtOrBefore = nowSeconds - windowSeconds;
    // Enrolment is part of each write's condition, so an enrolled user's refusal never takes an
    // attempt, not even for a moment, and costs no extra call when the token proves the factor.
    const guard = refuseMfaEnrolled ? { condition: ' AND NOT (#mfaEnrolled = :true)', values: { ':true': true } } : { condition: '', values: {} };
    // DynamoDB update expressions cannot branch, so there are two writes, each guarded by the exact
    // invariant: a new window when none is running, else one more attempt while under the limit.
    // Concurrent requests therefore never take more than maxAttempts checks per window.
    for (let round = 0; round < 3; round += 1) {
      const fresh = await this.conditionalUpdate(userId, {
        UpdateExpression: 'SET #oldPasswordAttempts = :one, #oldPasswordAttemptsSince = :now',
        ConditionExpression: `attribute_exists(#key) AND (attribute_not_exists(#oldPasswordAttemptsSince) OR #oldPasswordAttemptsSince <= :expired)${guard.condition}`,
        ExpressionAttributeValues: { ':one': 1, ':now': nowSeconds, ':expired': expiredAtOrBefore, ...guard.values },
      });
      if (fresh === WRITE_CONFLICT) return fresh;
      if (fresh) return { user: this.credentials(userId, fresh), windowStart: nowSeconds };
      const counted = await this.conditionalUpdate(userId, {
        UpdateExpression: 'SET #oldPasswordAttempts = #oldPasswordAttempts + :one',
        ConditionExpression: `attribute_exists(#key) AND #oldPasswordAttemptsSince > :expired AND #oldPasswordAttempts < :max${guard.condition}`,
        ExpressionAttributeValues: { ':one': 1, ':expired': expiredAtOrBefore, ':max': maxAttempts, ...guard.values },
      });
      if (counted === WRITE_CONFLICT) return counted;
      if (counted) return { user: this.credentials(userId, counted), windowStart: Number(counted[this.layout.attributes.oldPasswordAttemptsSince]) };
      const current = await this.read(userId);
      if (current === undefined) throw new AppError('ENTITY_NOT_FOUND');
      if (refuseMfaEnrolled && this.credentials(userId, current).mfaEnrolled) throw stepUpRefusal('mfaRequired');
      const since = Number(current[this.layout.attributes.oldPasswordAttemptsSince]);
      if (since > expiredAtOrBefore && Number(current[this.layout.attributes.oldPasswordAttempts]) >= maxAttempts) {
        throw new AppError('TOO_MANY_ATTEMPTS', { retryAfterSeconds: Math.max(1, since + windowSeconds - nowSeconds) });
      }
      // The window ended between the writes: go round again.
    }
    throw new AppError('SERVICE_UNAVAILABLE', { cause: { dependency: 'dynamodb', reason: 'attempt counter kept moving' } });
  }

  /** Best effort: a write conflict (another Region writing the user) leaves the attempt taken. */
  async releaseAttempt(userId: string, windowStart: number): Promise<void> {
    await this.conditionalUpdate(userId, {
      UpdateExpression: 'SET #oldPasswordAttempts = #oldPasswordAttempts - :one',
      ConditionExpression: '#oldPasswordAttemptsSince = :since AND #oldPasswordAttempts > :zero',
      ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':since': windowStart },
    }, 'NONE');
  }

  async replacePasswordHash({ userId, expectedHash, newHash, changedAt, history, sessionId, keptSessions, event }: PasswordReplacement): Promise<void> {
    const session = otherSessionsWrite(sessionId, keptSessions);
    const outbox = pendingEventWrite(event);
    const written = await this.conditionalUpdate(userId, {
      // UpdateItem, never PutItem: attributes this service does not own are left as they are.
      UpdateExpression: `SET #passwordHash = :new, #passwordChangedAt = :at, #passwordHistory = :history${session.set}${outbox.set} REMOVE #oldPasswordAttempts, #oldPasswordAttemptsSince${session.remove}`,
      // Only over the hash that was verified; this also fails (no upsert) if the item is gone.
      ConditionExpression: '#passwordHash = :expected',
      ExpressionAttributeValues: { ':new': newHash, ':at': changedAt.toISOString(), ':history': history, ':expected': expectedHash, ...session.values, ...outbox.values },
    }, 'NONE');
    if (written !== undefined && written !== WRITE_CONFLICT) return;
    // Lost the race (the condition failed, or another Region was writing the user and this write
    // was refused: nothing written), or the record was deleted meanwhile: tell which.
    const current = await this.read(userId);
    // Our own write already landed (its response was lost and the SDK retried it): success.
    if (current?.[this.layout.attributes.passwordHash] === newHash) return;
    throw new AppError(current === undefined ? 'ENTITY_NOT_FOUND' : 'CONCURRENT_CHANGE');
  }

  private credentials(userId: string, item: Record<string, unknown>): UserCredentials {
    return toCredentials(userId, item, this.layout.attributes);
  }

  /** The key, or ENTITY_NOT_FOUND when the subject cannot form one (too long for DynamoDB). */
  private key(userId: string): Record<string, string> {
    const key = itemKey(this.layout, userId);
    if (key === undefined) throw new AppError('ENTITY_NOT_FOUND', { cause: { reason: 'key over DynamoDB limits' } });
    return key;
  }

  /** A consistent read of the whole record, or undefined. */
  private async read(userId: string): Promise<Record<string, unknown> | undefined> {
    const Key = this.key(userId);
    try {
      return (await this.doc.send(new GetCommand({ TableName: this.table, Key, ConsistentRead: true }))).Item;
    } catch (error) {
      throw dependencyFailure(error);
    }
  }

  /**
   * An UpdateItem that returns the new record (`{}` with 'NONE'), undefined when its condition did
   * not hold, or WRITE_CONFLICT when another Region's write to the item made DynamoDB refuse it.
   */
  private async conditionalUpdate(
    userId: string,
    input: { UpdateExpression: string; ConditionExpression: string; ExpressionAttributeValues: Record<string, unknown> },
    returnValues: 'ALL_NEW' | 'NONE' = 'ALL_NEW',
  ): Promise<Record<string, unknown> | undefined | typeof WRITE_CONFLICT> {
    const Key = this.key(userId);
    // DynamoDB refuses names an expression does not use: pass exactly the aliases that appear.
    const aliases = new Set(`${input.UpdateExpression} ${input.ConditionExpression}`.match(/#\w+/g));
    const used = Object.fromEntries(Object.entries(this.names).filter(([alias]) => aliases.has(alias)));
    try {
      const { Attributes } = await this.doc.send(new UpdateCommand({
        TableName: this.table,
        Key,
        ...input,
        ExpressionAttributeNames: used,
        ReturnValues: returnValues,
      }));
      return Attributes ?? {};
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      if (error instanceof ReplicatedWriteConflictException) return WRITE_CONFLICT;
      throw dependencyFailure(error);
    }
  }
}
