import type { MiddlewareObj } from '@middy/core';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
// Type only: the Tracer module itself is imported lazily, see loadTracing.
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { AppError, type ErrorKey } from './errors.js';
import type { HttpEvent, HttpResult } from './http.js';

/** CloudWatch namespace of the business metrics (POWERTOOLS_METRICS_NAMESPACE overrides it). */
export const METRICS_NAMESPACE = 'ChangePassword';

/** Metric names, so dashboards, alarms and tests share one spelling. */
export const METRIC = {
  changed: 'PasswordChanged',
  failed: 'PasswordChangeFailed',
  /** Counted on every 429: the brute-force limit's refusal (TOO_MANY_ATTEMPTS, 5029). */
  lockouts: 'Lockouts',
  /** Counted each time the Pwned Passwords range API could not be used (timeout, error, garbage). */
  breachCheckUnavailable: 'BreachedPasswordCheckUnavailable',
} as const;

/** Dimension of PasswordChangeFailed: the ERRORS key, e.g. INCORRECT_OLD_PASSWORD. */
export const REASON_DIMENSION = 'reason';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'change-password';

/**
 * CloudWatch metrics in Embedded Metric Format: one JSON line on stdout per invocation, which
 * Lambda ships to CloudWatch Logs and CloudWatch turns into metrics (no API call, no latency).
 * POWERTOOLS_METRICS_DISABLED=true (stage local, tests) keeps them out of the terminal.
 */
export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE, serviceName });

/**
 * Whether X-Ray tracing is on: only inside Lambda and only when POWERTOOLS_TRACE_ENABLED is
 * "true" (serverless.yml sets it, with `provider.tracing.lambda`, from TRACING=true at deploy).
 */
export const tracingEnabled = (env: NodeJS.ProcessEnv = process.env): boolean =>
  // AWS_EXECUTION_ENV is how Powertools Tracer itself recognises Lambda (e.g. AWS_Lambda_nodejs22.x).
  env.POWERTOOLS_TRACE_ENABLED?.trim().toLowerCase() === 'true' && (env.AWS_EXECUTION_ENV ?? '') !== '' && env.AWS_SAM_LOCAL !== 'true';

/** An AWS SDK v3 client (or DocumentClient) whose calls become X-Ray subsegments. */
type AwsClient = Parameters<Tracer['captureAWSv3Client']>[0];

const clientsToTrace: AwsClient[] = [];
let tracerModule: Promise<MiddlewareObj<HttpEvent, HttpResult>> | undefined;

/**
 * Loads Powertools Tracer (and the X-Ray SDK, ~40 KB zipped and ~30-50 ms to evaluate) on the
 * first request, and only when tracing is on: a function without tracing never pays for it.
 * The dynamic imports stay in the bundle but are evaluated lazily.
 */
const loadTracing = (): Promise<MiddlewareObj<HttpEvent, HttpResult>> =>
  (tracerModule ??= (async () => {
    const [{ Tracer }, { captureLambdaHandler }] = await Promise.all([
      import('@aws-lambda-powertools/tracer'),
      import('@aws-lambda-powertools/tracer/middleware'),
    ]);
    const tracer = new Tracer({ serviceName });
    // X-Ray records only whitelisted request parameters (table name, projection), never item values.
    for (const client of clientsToTrace) tracer.captureAWSv3Client(client);
    return captureLambdaHandler(tracer, { captureResponse: false });
  })());

/** Marks an AWS client for tracing: captured when the tracer loads, untouched while tracing is off. */
export const traceClient = <T extends AwsClient>(client: T): T => {
  if (tracingEnabled()) clientsToTrace.push(client);
  return client;
};

/**
 * Powertools' captureLambdaHandler (a `## handler` subsegment, cold start annotation, errors;
 * response not captured), loaded on first use; a no-op when tracing is off.
 */
export const tracing = (): MiddlewareObj<HttpEvent, HttpResult> => {
  if (!tracingEnabled()) return { before: () => undefined };
  let loaded: MiddlewareObj<HttpEvent, HttpResult> | undefined;
  return {
    before: async (request) => {
      loaded = await loadTracing();
      await loaded.before?.(request);
    },
    after: async (request) => {
      await loaded?.after?.(request);
    },
    onError: async (request) => {
      await loaded?.onError?.(request);
    },
  };
};

/**
 * Counts each outcome once per request. Register it before the envelope middleware so that its
 * after/onError run after the envelope has chosen the answer, and after Powertools' logMetrics
 * so that its metrics are flushed by it. Adds nothing but a metric name and the ERRORS key.
 */
export const outcomeMetrics = (target: Metrics = metrics): MiddlewareObj<HttpEvent, HttpResult> => ({
  after: (request) => {
    if (request.response?.statusCode === 200) target.addMetric(METRIC.changed, MetricUnit.Count, 1);
  },
  onError: (request) => {
    const reason: ErrorKey = request.error instanceof AppError ? request.error.key : 'INTERNAL';
    target.addDimension(REASON_DIMENSION, reason);
    target.addMetric(METRIC.failed, MetricUnit.Count, 1);
    if (request.response?.statusCode === 429) target.addMetric(METRIC.lockouts, MetricUnit.Count, 1);
  },
});
