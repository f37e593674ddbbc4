/**
 * The `PasswordChanged` event a committed change yields, in the core's words: what it says, how it
 * waits on the user's record until relayed (the transactional outbox), and the use case that relays
 * it. The change's own conditional write records the event (lib/core/change-password.ts); a relay
 * started by the table's stream, or the local stack's sweep, publishes it and only then clears it,
 * so every change is published at least once and every publication carries the same `changeId`.
 * The event's contract (its source, type and detail) is lib/core/password-changed-event.ts.
 */
import { passwordChangedDetail, type PasswordChangedDetail } from './password-changed-event.js';

/** The event as it waits on the user's record: its detail, and the Region whose relay publishes it. */
export interface PendingEvent extends PasswordChangedDetail {
  region: string;
}

/** Longest User-Agent carried, in code points: real ones are well under it, anything longer is noise. */
export const USER_AGENT_MAX_LENGTH = 200;

/**
 * A User-Agent fit for a log line, an event and an email: control, format and line-separator
 * characters (which could forge a log line or reorder text) become spaces, runs of white space one
 * space, cut to {@link USER_AGENT_MAX_LENGTH} code points. Undefined when nothing is left.
 */
export const cleanUserAgent = (raw: string | undefined): string | undefined => {
  const cleaned = (raw ?? '').replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ').replace(/\s+/g, ' ').trim();
  const cut = [...cleaned].slice(0, USER_AGENT_MAX_LENGTH).join('').trim();
  return cut === '' ? undefined : cut;
};

/** The pending events on users' records (lib/adapters/dynamodb/outbox.ts). */
export interface Outbox {
  /** The user's pending events, read consistently: what is still to publish right now. */
  pending(userId: string): Promise<PendingEvent[]>;
  /** Removes the change's pending event from the user's record, if the record still holds it. */
  clear(userId: string, changeId: string): Promise<void>;
}

/** Publishes one event (lib/adapters/eventbridge); rejects when the bus did not take it. */
export type PublishEvent = (detail: PasswordChangedDetail) => Promise<void>;

/** The event's detail, as published: the pending record without its routing, in the contract's order. */
export const detailOf = ({ region: _region, ...detail }: PendingEvent): PasswordChangedDetail => passwordChangedDetail(detail);

/**
 * Use case: relay a user's pending events. Reads what is still pending (so a stale stream image
 * or a second trigger publishes nothing already cleared), publishes each event of `region` (all
 * with `undefined`) oldest first, and clears each only once published. A failure rejects with the
 * rest left pending, to be tried again; an event published and not yet cleared is published again
 * then, with the same `changeId`. Resolves to the number published.
 */
export const relayPendingEvents = async (userId: string, deps: { outbox: Outbox; publish: PublishEvent; region?: string | undefined }): Promise<number> => {
  const pending = (await deps.outbox.pending(userId)).filter((event) => deps.region === undefined || event.region === deps.region);
  for (const event of pending) {
    await deps.publish(detailOf(event));
    await deps.outbox.clear(userId, event.changeId);
  }
  return pending.length;
};
