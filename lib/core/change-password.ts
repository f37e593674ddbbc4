import { randomUUID } from 'node:crypto';
import { AppError } from './errors.js';
import { isRecentPassword, type HashesBySalt } from './password-history.js';
import { requirementsOf, startPolicyCheck } from './policy/password-policy.js';
import { type PolicyRule, type PolicyRuleId } from './policy/password-rule.js';
import type { PendingEvent } from './password-changed.js';
import type { AttemptLimits, BreachedPasswordCheck, Clock, PasswordHasher, UserCredentials, UserStore } from './ports.js';
import { ALL_TOKENS_VALID, revokedByPasswordChange, tokensValidFrom, type OtherSessionsMode } from './stale-token.js';
import { stepUpRefusal, stepUpVerdict, type AuthenticationClaims, type StepUpConfig } from './step-up.js';

/** The account protections: the brute-force limit, the history and the lost-answer replay window. */
export interface ChangePasswordLimits extends AttemptLimits {
  /** How many previous hashes a new password may not match. */
  historySize: number;
  /** How long after a change a lost-response retry of it answers the original 200. */
  replayWindowSeconds: number;
}

/**
 * Runs synchronous CPU `work` against `io`, an I/O call already started: before its answer
 * ({@link overlapWithIo}) or after it ({@link afterIo}). A rejection of `io` is left to the
 * caller's own await.
 */
export type Scheduling = <T>(io: Promise<unknown>, work: () => T) => Promise<T>;

/**
 * The work runs while `io` is in flight. The SDK writes its request only after a turn of the
 * event loop (its middleware chain, then the socket), so work started right after the call would
 * run before the request even left; one setImmediate lets it leave first (measured by
 * `npm run bench:wire`). For a process that runs one change at a time, as a Lambda container does.
 */
export const overlapWithIo: Scheduling = async (io, work) => {
  io.catch(() => undefined);
  await new Promise((resolve) => setImmediate(resolve));
  return work();
};

/**
 * The work waits for `io`'s answer. For a process that runs many changes at once (a test suite,
 * a long-lived local server): there the CPU is busy anyway, and a request the reservation refuses
 * (429, 404) would burn it for nothing while delaying everyone's I/O.
 */
export const afterIo: Scheduling = async (io, work) => {
  await io;
  return work();
};

/** What the use case is plugged into; lib/compose.ts supplies the real ones. */
export interface ChangePasswordDeps {
  store: UserStore;
  policy: readonly PolicyRule[];
  hasher: PasswordHasher;
  clock: Clock;
  limits: ChangePasswordLimits;
  /** When the policy's user-independent checks run against the attempt reservation. */
  scheduling: Scheduling;
  /**
   * With events on (EVENT_BUS_NAME), the change's PasswordChanged event is recorded by its own write,
   * for the relay of `region` to publish (lib/core/password-changed.ts); absent: none is recorded.
   */
  events?: { region: string } | undefined;
  /** The online breach lookup (rule id `breachedPassword`); absent: none. */
  breachedPasswords?: BreachedPasswordCheck | undefined;
  /** What the token must prove: a second factor, a recent sign-in (lib/core/step-up.ts). */
  stepUp: StepUpConfig;
  /** Whether a change always ends the other sessions, or the request may keep them; default `sign-out`. */
  otherSessions?: OtherSessionsMode | undefined;
}

export interface ChangePasswordInput {
  /** From the verified token, never from the body. */
  userId: string;
  /** The token's `iat`, to refuse tokens issued before the last change. */
  tokenIssuedAt: number | undefined;
  /** The token's `amr`, `acr` and `auth_time`, for step-up. */
  authentication: AuthenticationClaims;
  /** The token's `sid`: its session's older tokens outlive the change (lib/core/stale-token.ts). */
  tokenSessionId?: string | undefined;
  oldPassword: string;
  newPassword: string;
  /** The request's choice (`signOutOtherSessions`), heeded only under `user-choice`; default true. */
  signOutOtherSessions?: boolean | undefined;
  requestId?: string | undefined;
  sourceIp?: string | undefined;
  /** The request's User-Agent, already cleaned (cleanUserAgent). */
  userAgent?: string | undefined;
}

/** `changed`: a new hash was stored. `replayed`: a retry of the change just made, answered as it was. */
export type ChangePasswordOutcome = 'changed' | 'replayed';

/**
 * A retry of a change whose answer was lost: made within the replay window, its new password is
 * the current one and its old password the one just replaced. Costs bcrypt only in that window.
 */
const isReplay = async (deps: ChangePasswordDeps, user: UserCredentials, input: ChangePasswordInput): Promise<boolean> => {
  const { passwordHash, passwordChangedAt, passwordHistory } = user;
  const previous = passwordHistory[0];
  if (passwordHash === undefined || previous === undefined) return false;
  // Stryker disable next-line ConditionalExpression: Date.parse(undefined) is NaN, which the window check below refuses too
  if (passwordChangedAt === undefined) return false;
  const age = deps.clock().getTime() - Date.parse(passwordChangedAt);
  if (!(age >= 0 && age <= deps.limits.replayWindowSeconds * 1000)) return false;
  return (await deps.hasher.verify(input.newPassword, passwordHash)) && deps.hasher.verify(input.oldPassword, previous);
};

/** The change's event, as its write records it: a new identity, and only the fields that have a value. */
const pendingEvent = (region: string, input: ChangePasswordInput, changedAt: Date, signOutOtherSessions: boolean | undefined): PendingEvent => {
  const { requestId, sourceIp, userAgent } = input;
  const optional = Object.entries({ requestId, sourceIp, userAgent, signOutOtherSessions }).filter(([, value]) => value !== undefined);
  return { changeId: randomUUID(), userId: input.userId, changedAt: changedAt.toISOString(), region, ...Object.fromEntries(optional) };
};

/**
 * Use case: change a password.
 *
 * Primary course: refuse a token without the second factor or recent sign-in the step-up
 * settings demand; reserve one old-password attempt (reading the user in the same write; the
 * policy's rules that need no user run meanwhile); refuse a token older than the last change;
 * finish the policy; verify the old password (while the breach lookup, if any, runs) and then
 * refuse a breached new password; hash the new one under the user's salt and refuse it if it
 * matches a recent password; swap the hashes with a conditional write that also resets the
 * attempt counter, records the history and, with events on, the change's PasswordChanged event. Cheap checks run before the bcrypt steps, and
 * the history check runs only once the old password is proven. Once a user's history shares
 * their salt, a change costs 2 bcrypt operations whatever the history size.
 *
 * Errors (AppError keys): PASSWORD_UNCHANGED, MFA_REQUIRED (details.reason), ENTITY_NOT_FOUND,
 * TOO_MANY_ATTEMPTS, UNAUTHORIZED (stale token), PASSWORD_POLICY (details.failedRules,
 * `breachedPassword` included once the old password is proven), INCORRECT_OLD_PASSWORD,
 * PASSWORD_REUSED, CONCURRENT_CHANGE, and SERVICE_UNAVAILABLE from the store or a fail-closed
 * breach lookup.
 *
 * Counting: every request that gets past the cheap checks and step-up takes an attempt before any
 * bcrypt, so at most `maxAttempts` checks run per window however many arrive at once. A request
 * that proves the old password gives its attempt back (a success resets the counter); a wrong old
 * password or a stale token keeps it.
 */
export const changePassword = async (deps: ChangePasswordDeps, input: ChangePasswordInput): Promise<ChangePasswordOutcome> => {
  const { userId, oldPassword, newPassword } = input;
  // Compared, checked and hashed as NFC (lib/core/hash-format.ts), so é and e + ◌́ are one password.
  const candidate = newPassword.normalize('NFC');
  if (candidate === oldPassword.normalize('NFC')) throw new AppError('PASSWORD_UNCHANGED');

  // Step-up refusals come before the store: what the claims decide is refused here, and an enrolled
  // user's refusal is part of the reservation's condition, so neither takes an attempt.
  const stepUp = stepUpVerdict(deps.stepUp, input.authentication, deps.clock());
  if (stepUp === 'mfaRequired' || stepUp === 'reauthenticationRequired') throw stepUpRefusal(stepUp);

  // The policy's rules that need no user (the strength estimate among them) run while the store
  // reserves the attempt and reads the user (with overlapWithIo); their verdict is still given in
  // the documented order.
  const reserving = deps.store.beginAttempt(userId, deps.clock(), deps.limits, { refuseMfaEnrolled: stepUp === 'refuseIfEnrolled' });
  const finishPolicy = await deps.scheduling(reserving, () => startPolicyCheck(deps.policy, candidate));
  const { user, windowStart } = await reserving;
  const giveBack = () => deps.store.releaseAttempt(userId, windowStart);

  // Under `sign-out` every change ends the other sessions: the last change is the not-before, and
  // sessions kept while the option was on end with it (as the authorizer reads it).
  const userChoice = deps.otherSessions === 'user-choice';
  const sessions = userChoice ? user : { ...user, tokensValidFrom: undefined };
  if (revokedByPasswordChange({ issuedAt: input.tokenIssuedAt, sessionId: input.tokenSessionId }, sessions)) {
    // Only an exact retry of the change that made this token stale may pass; anything else is a
    // failed attempt, so a thief's older token cannot change the password back or probe it.
    if (await isReplay(deps, user, input)) return giveBack().then(() => 'replayed');
    throw new AppError('UNAUTHORIZED', { cause: { reason: 'token issued before the last password change' } });
  }

  const context = { userAttributes: user.attributes, mfaEnrolled: user.mfaEnrolled };
  const failed = finishPolicy(context);
  if (failed.length > 0) {
    await giveBack();
    // A minimum that depends on the user says which one applied (`minLength`).
    throw new AppError('PASSWORD_POLICY', { details: { failedRules: failed, ...requirementsOf(deps.policy, failed, context) } });
  }

  // The breached-password lookup starts now, so its network time overlaps the bcrypt check of the
  // old password, and is awaited only once that check passed. A wrong old password answers 5023
  // without waiting for it; its outcome is then dropped (the catch avoids an unhandled rejection
  // in fail-closed mode).
  const breachLookup = deps.breachedPasswords?.check(candidate);
  breachLookup?.catch(() => undefined);

  const { passwordHash } = user;
  if (passwordHash === undefined || !(await deps.hasher.verify(oldPassword, passwordHash))) {
    if (await isReplay(deps, user, input)) return giveBack().then(() => 'replayed');
    throw new AppError('INCORRECT_OLD_PASSWORD');
  }

  // A breached-password refusal or a 503 gives the attempt back, as the other policy refusals do,
  // since the old password was right.
  if (breachLookup !== undefined) {
    const breached = await breachLookup.catch(async (error: unknown) => {
      await giveBack();
      throw error;
    });
    if (breached) {
      await giveBack();
      throw new AppError('PASSWORD_POLICY', { details: { failedRules: ['breachedPassword'] satisfies PolicyRuleId[] } });
    }
  }

  // The new hash shares the user's salt, so one bcrypt both checks the history and is the new
  // hash (lib/core/password-history.ts); entries with salts of their own cost one each until they age out.
  const salt = await deps.hasher.saltFor(passwordHash);
  const hashes: HashesBySalt = new Map();
  const recent = user.passwordHistory.slice(0, deps.limits.historySize);
  if (await isRecentPassword(deps.hasher, newPassword, recent, salt, hashes)) {
    await giveBack();
    throw new AppError('PASSWORD_REUSED', { details: { historySize: deps.limits.historySize } });
  }

  const newHash = hashes.get(salt) ?? (await deps.hasher.hashWithSalt(newPassword, salt));
  const changedAt = deps.clock();
  // At least the previous hash is kept, whatever the history size: a lost-response retry needs it.
  const history = [passwordHash, ...user.passwordHistory].slice(0, Math.max(1, deps.limits.historySize));
  const keepOthers = userChoice && input.signOutOtherSessions === false;
  const keptSessions = keepOthers ? { tokensValidFrom: tokensValidFrom(sessions) ?? ALL_TOKENS_VALID } : undefined;
  // The event is part of the write (one item, no transaction): it exists exactly when the change
  // does. Under `user-choice` it says what the request chose.
  const event = deps.events === undefined ? undefined : pendingEvent(deps.events.region, input, changedAt, userChoice ? !keepOthers : undefined);
  await deps.store.replacePasswordHash({ userId, expectedHash: passwordHash, newHash, changedAt, history, sessionId: input.tokenSessionId, keptSessions, event });
  return 'changed';
};
