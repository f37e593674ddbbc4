import type { MiddlewareObj } from '@middy/core';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
// Type only: the Tracer module itself is imported lazily, see createTracing.
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { AppError, type ErrorKey } from '../core/errors.js';
import type { HttpEvent, HttpResult } from './event.js';

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

/** The name on a function's log lines (POWERTOOLS_SERVICE_NAME): all a function that only logs is given. */
export interface LoggingSettings {
  serviceName: string;
}

/** Names and switches of the metrics and traces (POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, tracing). */
export interface ObservabilitySettings extends LoggingSettings {
  metricsNamespace: string;
  /** X-Ray tracing: only inside Lambda, with POWERTOOLS_TRACE_ENABLED=true. */
  tracing: boolean;
}

/**
 * CloudWatch metrics in Embedded Metric Format: one JSON line on stdout per invocation, which
 * Lambda ships to CloudWatch Logs and CloudWatch turns into metrics (no API call, no latency).
 * POWERTOOLS_METRICS_DISABLED=true (stage local, tests) keeps them out of the terminal.
 */
export const createMetrics = ({ serviceName, metricsNamespace }: ObservabilitySettings): Metrics => new Metrics({ namespace: metricsNamespace, serviceName });

/** An AWS SDK v3 client (or DocumentClient) whose calls become X-Ray subsegments. */
type AwsClient = Parameters<Tracer['captureAWSv3Client']>[0];

/** X-Ray for one function: its middlewares and the clients it captures. */
export interface Tracing {
  /** `.use()` them early in the chain: none when tracing is off. */
  middlewares: MiddlewareObj<HttpEvent, HttpResult>[];
  /** Marks an AWS client for tracing: captured when the tracer loads, untouched while tracing is off. */
  traceClient: <T extends AwsClient>(client: T) => T;
}

/**
 * `TRACING` as the package was built with it: serverless.yml's esbuild `define` writes it into the
 * bundle, absent when the code runs unbundled (tests, tsx).
 */
declare const PACKAGED_TRACING: string | undefined;

/**
 * The Tracer module. A package built with `TRACING=false` (the default) leaves it and the X-Ray SDK
 * out: esbuild drops this import as dead code (37 kB zipped less, and less to parse at each cold
 * start). Such a package never turns tracing on, since serverless.yml derives
 * POWERTOOLS_TRACE_ENABLED from the same variable.
 */
// Stryker disable ConditionalExpression,EqualityOperator,StringLiteral: only a bundle defines PACKAGED_TRACING; tests run the sources, where it is undefined (tests/deploy reads the bundles)
const importTracer = (): Promise<{ Tracer: typeof Tracer }> =>
  typeof PACKAGED_TRACING === 'undefined' || PACKAGED_TRACING !== 'false'
    ? import('@aws-lambda-powertools/tracer')
    : Promise.reject(new Error('this package was built with TRACING=false: no tracer in it'));
// Stryker restore ConditionalExpression,EqualityOperator,StringLiteral

/**
 * Tracing as set. When on: Powertools Tracer (and the X-Ray SDK, ~40 KB zipped and ~30-50 ms to
 * evaluate) is imported by the first middleware on the first request, so a function without
 * tracing never pays for it (a package built with TRACING=false does not even hold it); then
 * Powertools' captureLambdaHandler (a `## handler` subsegment, cold start annotation, errors;
 * response not captured) runs on it, through a stand-in that forwards to the loaded tracer.
 */
export const createTracing = ({ serviceName, tracing }: ObservabilitySettings): Tracing => {
  if (!tracing) return { middlewares: [], traceClient: (client) => client };
  const clients: AwsClient[] = [];
  let tracer: Tracer | undefined;
  let loading: Promise<Tracer> | undefined;
  const load = (): Promise<Tracer> =>
    (loading ??= importTracer().then(({ Tracer }) => {
      tracer = new Tracer({ serviceName });
      // X-Ray records only whitelisted request parameters (table name, projection), never item values.
      for (const client of clients) tracer.captureAWSv3Client(client);
      return tracer;
    }));
  const loaded = new Proxy({} as Tracer, {
    get: (_target, key) => {
      // Stryker disable next-line ConditionalExpression: captureLambdaHandler reads the tracer only in its own before, once the first middleware has loaded it
      const value: unknown = tracer === undefined ? undefined : Reflect.get(tracer, key, tracer);
      // Stryker disable next-line ConditionalExpression: captureLambdaHandler reads only the tracer's methods
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(tracer) : value;
    },
  });
  return {
    middlewares: [{ before: async () => void (await load()) }, captureLambdaHandler(loaded, { captureResponse: false })],
    traceClient: (client) => {
      clients.push(client);
      return client;
    },
  };
};

/**
 * Counts each outcome once per request. Register it before the envelope middleware so that its
 * after/onError run after the envelope has chosen the answer, and after Powertools' logMetrics
 * so that its metrics are flushed by it. Adds nothing but a metric name and the ERRORS key.
 */
export const outcomeMetrics = (target: Metrics): MiddlewareObj<HttpEvent, HttpResult> => ({
  after: (request) => {
    // Stryker disable next-line OptionalChaining,ConditionalExpression: middy runs `after` only once the handler has answered, and it answers only 200
    if (request.response?.statusCode === 200) target.addMetric(METRIC.changed, MetricUnit.Count, 1);
  },
  onError: (request) => {
    const reason: ErrorKey = request.error instanceof AppError ? request.error.key : 'INTERNAL';
    target.addDimension(REASON_DIMENSION, reason);
    target.addMetric(METRIC.failed, MetricUnit.Count, 1);
    // Stryker disable next-line OptionalChaining: the envelope, whose onError runs before this one, has always set the answer
    if (request.response?.statusCode === 429) target.addMetric(METRIC.lockouts, MetricUnit.Count, 1);
  },
});
