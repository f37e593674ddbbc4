/**
 * The composition: the one place that reads the configuration and plugs the adapters into the use
 * case and the HTTP edge. Everything is built once, at cold start; state that lives on between
 * requests (clients, caches, the tracer) lives in the objects built here.
 */
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Logger } from '@aws-lambda-powertools/logger';
import { createBcryptHasher } from './adapters/bcrypt/password-hash.js';
import { createDocumentClient, createDynamoClient } from './adapters/dynamodb/client.js';
import { idempotencyStore } from './adapters/dynamodb/idempotency-store.js';
import { dynamoContactLookup } from './adapters/dynamodb/owner-contact.js';
import { DynamoOutbox } from './adapters/dynamodb/outbox.js';
import { DynamoSessionStore } from './adapters/dynamodb/session-store.js';
import { DynamoUserStore } from './adapters/dynamodb/user-store.js';
import { eventBridgePublisher } from './adapters/eventbridge/change-notifier.js';
import { createBreachedPasswordCheck, type BreachedPasswordSettings } from './adapters/hibp/breached-passwords.js';
import { createTokenVerifier, type SecretFetcher } from './adapters/jwt/token-verifier.js';
import { sesEmailSender } from './adapters/ses/email-sender.js';
import { loadConfig, loadNoticeConfig, loadPasswordPolicyRouteConfig, loadRelayConfig, type Config, type NoticeConfig, type PasswordPolicyRouteConfig, type RelayConfig } from './config/load.js';
import { loadUserAccess, type UserAccessConfig } from './config/user-access.js';
import { afterIo, overlapWithIo, type Scheduling } from './core/change-password.js';
import { notifyOwner, type EmailSender } from './core/notify-owner.js';
import { buildPolicy } from './core/policy/password-policy.js';
import { publishedPolicy } from './core/policy/published-policy.js';
import { relayPendingEvents, type PublishEvent } from './core/password-changed.js';
import { createNoticeHandler, type NoticeHandlerDeps } from './events/password-changed-notice.js';
import { createRelayHandler, type RelayHandlerDeps } from './events/password-changed-relay.js';
import type { BreachedPasswordCheck } from './core/ports.js';
import { createHandler, type HandlerDeps } from './http/change-password-handler.js';
import { createPasswordPolicyHandler } from './http/password-policy-handler.js';
import { createLogger } from './http/logger.js';
import { createMetrics, createTracing, METRIC } from './http/observability.js';
import { createSessionHandler } from './http/session-handler.js';
import { createTokenAuthorizer, type TokenAuthorizerDeps } from './http/token-authorizer.js';

/**
 * The SSM fetcher for JWT_SECRET_PARAMETER, loaded on first use: a function configured with
 * another key source never evaluates the SSM client.
 */
const lazySsmFetcher = (): SecretFetcher => {
  let fetcher: Promise<SecretFetcher> | undefined;
  return async (name) => (await (fetcher ??= import('./adapters/ssm/secret-parameter.js').then((m) => m.createSecretFetcher())))(name);
};

/**
 * The Pwned Passwords range check as configured (HIBP_*), or none when disabled. An unavailable
 * API is a warning line and a metric, with the reason only: nothing about the password.
 */
export const breachedPasswordCheck = (settings: BreachedPasswordSettings, logger: Logger, metrics: Metrics): BreachedPasswordCheck | undefined =>
  settings.enabled
    ? createBreachedPasswordCheck({
        ...settings,
        onUnavailable: (reason) => {
          logger.warn(`Pwned Passwords range API unavailable; ${settings.failClosed ? 'refusing the change (HIBP_FAIL_CLOSED)' : 'checked on the offline rules only'}`, { reason });
          metrics.addMetric(METRIC.breachCheckUnavailable, MetricUnit.Count, 1);
        },
      })
    : undefined;

/** The bearer-token check as configured (JWT_*), the same for every function that takes tokens. */
// Stryker disable next-line ConditionalExpression: only a secretParameter key source calls the fetcher; given to another, it is never called
const tokenVerifier = ({ jwt }: Pick<Config, 'jwt'>) => createTokenVerifier(jwt, { fetchSecret: jwt.key.kind === 'secretParameter' ? lazySsmFetcher() : undefined });

/** How the process runs changes: `one` at a time (a Lambda container), or `many` at once (a test suite, a local server). */
export type Concurrency = 'one' | 'many';

/** What the composition is told besides the configuration. */
export interface CompositionOptions {
  /** Default `one`: the policy's CPU checks then overlap the attempt reservation. */
  concurrency?: Concurrency;
}

const SCHEDULING: Record<Concurrency, Scheduling> = { one: overlapWithIo, many: afterIo };

/** The handler's dependencies, real ones throughout, built from the configuration. */
export const changePasswordDependencies = (config: Config, { concurrency = 'one' }: CompositionOptions = {}): HandlerDeps => {
  const logger = createLogger(config.observability);
  const metrics = createMetrics(config.observability);
  const tracing = createTracing(config.observability);
  return {
    verifyToken: tokenVerifier(config),
    store: new DynamoUserStore(tracing.traceClient(createDocumentClient(config.dynamodb)), config.usersTable, config.usersLayout),
    policy: buildPolicy(config.policy),
    hasher: createBcryptHasher(config.bcryptCost),
    clock: () => new Date(),
    limits: config.protection,
    scheduling: SCHEDULING[concurrency],
    // The event is recorded by the change's own write; the relay publishes it (docs/reliability.md#events).
    events: config.eventBusName === undefined ? undefined : { region: config.region },
    corsAllowedOrigins: config.corsAllowedOrigins,
    breachedPasswords: breachedPasswordCheck(config.breachedPasswords, logger, metrics),
    stepUp: config.stepUp,
    otherSessions: config.otherSessions,
    logger,
    metrics,
    tracing,
  };
};

/** The change-password handler as Lambda runs it: configured from the environment at cold start. */
export const changePasswordHandler = (config: Config = loadConfig(), options: CompositionOptions = {}) =>
  createHandler(changePasswordDependencies(config, options));

/** The notice function's dependencies, real ones throughout; `sendEmail` defaults to SES v2. */
export const noticeDependencies = (config: NoticeConfig, sendEmail: EmailSender = sesEmailSender()): NoticeHandlerDeps => {
  const client = createDynamoClient(config.dynamodb);
  const lookupContact = dynamoContactLookup(createDocumentClient(config.dynamodb, client), config.usersTable, config.usersLayout, config.addressAttributes);
  return {
    notify: (change) => notifyOwner(change, { lookupContact, sendEmail, settings: config.notice }),
    persistenceStore: idempotencyStore(client, config.idempotencyTable),
    logger: createLogger(config.observability),
  };
};

/** The passwordChangedNotice handler as Lambda runs it: configured from the environment at cold start. */
export const passwordChangedNoticeHandler = (config: NoticeConfig = loadNoticeConfig()) => createNoticeHandler(noticeDependencies(config));

/**
 * The relay of one user's pending events, as the stream function and the local stack's sweep run it:
 * the outbox on the users table, the bus named by EVENT_BUS_NAME (`publish` defaults to EventBridge,
 * whose client reads AWS_ENDPOINT_URL_EVENTBRIDGE like any SDK v3 client).
 */
export const relayDependencies = (config: RelayConfig, publish: PublishEvent = eventBridgePublisher(config.eventBusName)) => {
  const outbox = new DynamoOutbox(createDocumentClient(config.dynamodb), config.usersTable, config.usersLayout);
  return {
    outbox,
    /** The user's events recorded in this Region (the stream function's share). */
    relay: (userId: string) => relayPendingEvents(userId, { outbox, publish, region: config.region }),
    /** The user's events whatever Region recorded them (a sweep: the local stack, an operator's catch-up). */
    relayEveryRegion: (userId: string) => relayPendingEvents(userId, { outbox, publish }),
  };
};

/** The passwordChangedRelay function's dependencies: the relay of this Region's events. */
export const relayHandlerDependencies = (config: RelayConfig, publish?: PublishEvent): RelayHandlerDeps => {
  const { relay } = relayDependencies(config, publish);
  return { relay, pendingAttribute: config.usersLayout.attributes.pendingPasswordChanged, region: config.region, logger: createLogger(config.observability) };
};

/** The passwordChangedRelay handler as Lambda runs it: a DynamoDB stream target, configured at cold start. */
export const passwordChangedRelayHandler = (config: RelayConfig = loadRelayConfig()) => createRelayHandler(relayHandlerDependencies(config));

/**
 * The token authorizer's dependencies: the token verifier, a read of the user's session state and
 * a logger, nothing more. Kept apart from the change function's, so its bundle (esbuild keeps
 * only what is reached from here) carries no bcrypt, zxcvbn, breached-list, hibp or valibot code.
 */
export const tokenAuthorizerDependencies = (config: UserAccessConfig): TokenAuthorizerDeps => ({
  verifyToken: tokenVerifier(config),
  sessions: new DynamoSessionStore(createDocumentClient(config.dynamodb), config.usersTable, config.usersLayout, { keptSessions: config.otherSessions === 'user-choice' }),
  logger: createLogger(config.observability),
});

/** The HTTP API Lambda authorizer as Lambda runs it: configured from the environment at cold start. */
export const tokenAuthorizerHandler = (config: UserAccessConfig = loadUserAccess()) => createTokenAuthorizer(tokenAuthorizerDependencies(config));

/** GET /v1/session, the sample route behind the authorizer: it needs no configuration. */
export const sessionHandler = () => createSessionHandler();

/**
 * GET /v1/password-policy as Lambda runs it: the rules the change function judges by, published
 * from the same variables (lib/config/load.ts) at cold start. No table, no key source.
 */
export const passwordPolicyHandler = (config: PasswordPolicyRouteConfig = loadPasswordPolicyRouteConfig()) =>
  createPasswordPolicyHandler({ policy: publishedPolicy(config.published), corsAllowedOrigins: config.corsAllowedOrigins });
