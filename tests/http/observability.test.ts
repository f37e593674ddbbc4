import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDocumentClient } from '../../lib/adapters/dynamodb/client.js';
import { loadConfig } from '../../lib/config/load.js';
import type { UserStore } from '../../lib/core/ports.js';
import { DEV_JWT_SECRET } from '../../lib/config/variables.js';
import { createTracing } from '../../lib/http/observability.js';
import { SEED_NEW, SEED_OLD } from '../support/harness.js';

/**
 * Metrics (CloudWatch EMF on stdout) and tracing, through the real handler on DynamoDB. Powertools
 * reads part of its settings (POWERTOOLS_METRICS_DISABLED) from the environment itself, so each test
 * sets the environment and then builds its harness.
 */
interface Emf {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

let stdout: string[] = [];

const fresh = async (env: Record<string, string | undefined>) => {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  const harness = await import('../support/harness.js');
  return { harness };
};

/** The EMF documents written to stdout since the last call. */
const takeEmf = (): Emf[] => {
  const docs = stdout
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Emf);
  stdout = [];
  return docs;
};
const metricNames = (doc: Emf) => doc._aws.CloudWatchMetrics.flatMap((m) => m.Metrics.map((x) => x.Name));

beforeEach(() => {
  stdout = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(chunk.toString());
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('CloudWatch metrics (EMF)', () => {
  it('counts a cold start, a change and each refusal by reason in the ChangePassword namespace, with no secret in them', async () => {
    // Arrange
    // Lambda sets AWS_LAMBDA_INITIALIZATION_TYPE; Powertools counts a cold start only with it.
    const { harness } = await fresh({ POWERTOOLS_METRICS_DISABLED: 'false', AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' });
    const h = await harness.startHarness();
    try {
      const { token } = await h.seedUser();
      takeEmf();

      // Act
      const changed = await h.invoke(harness.apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: SEED_NEW } }));
      const afterSuccess = takeEmf();
      const refused = await h.invoke(harness.apiEvent({ token, body: { oldPassword: 'Wrong-P@ssw0rd-1', newPassword: 'Another-P@ssw0rd-2' } }));
      const afterFailure = takeEmf();
      const anonymous = await h.invoke(harness.apiEvent({ body: { oldPassword: SEED_OLD, newPassword: SEED_NEW } }));
      const afterAnonymous = takeEmf();

      // Assert
      expect([changed.statusCode, refused.statusCode, anonymous.statusCode]).toEqual([200, 400, 401]);
      expect(afterSuccess.flatMap(metricNames).sort()).toEqual(['ColdStart', 'PasswordChanged']);
      const success = afterSuccess.find((d) => metricNames(d).includes('PasswordChanged'));
      expect(success).toMatchObject({ PasswordChanged: 1, service: 'change-password' });
      expect(success?._aws.CloudWatchMetrics[0]?.Namespace).toBe('ChangePassword');

      expect(afterFailure).toHaveLength(1);
      expect(afterFailure[0]).toMatchObject({ PasswordChangeFailed: 1, reason: 'INCORRECT_OLD_PASSWORD', service: 'change-password' });
      expect(afterFailure[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'reason']]);
      expect(afterAnonymous[0]).toMatchObject({ PasswordChangeFailed: 1, reason: 'NO_AUTH_TOKEN' });
      expect(metricNames(afterFailure[0] as Emf)).not.toContain('Lockouts');

      const text = JSON.stringify([afterSuccess, afterFailure, afterAnonymous]);
      for (const secret of [SEED_OLD, SEED_NEW, 'Wrong-P@ssw0rd-1', token]) expect(text).not.toContain(secret);
    } finally {
      await h.stop();
    }
  });

  it('writes nothing to stdout when POWERTOOLS_METRICS_DISABLED=true (tests, npm start)', async () => {
    const { harness } = await fresh({ POWERTOOLS_METRICS_DISABLED: 'true' });
    const h = await harness.startHarness();
    try {
      const { token } = await h.seedUser();
      await h.invoke(harness.apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: SEED_NEW } }));
      await h.invoke(harness.apiEvent({ body: {} }));
      expect(takeEmf()).toEqual([]);
    } finally {
      await h.stop();
    }
  });

  it('counts a failure that is not one of ours under the reason INTERNAL', async () => {
    const { harness } = await fresh({ POWERTOOLS_METRICS_DISABLED: 'false' });
    const h = await harness.startHarness();
    try {
      const { token } = await h.seedUser();
      const store: UserStore = { beginAttempt: () => Promise.reject(new Error('boom')), releaseAttempt: () => Promise.resolve(), replacePasswordHash: () => Promise.resolve() };
      takeEmf();

      const res = await h.invokerWith({ store })(harness.apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: SEED_NEW } }));

      expect(res.statusCode).toBe(500);
      expect(takeEmf()).toEqual([expect.objectContaining({ PasswordChangeFailed: 1, reason: 'INTERNAL' })]);
    } finally {
      await h.stop();
    }
  });

  it('counts the brute-force lockout (429) as Lockouts as well as a failure, through the handler', async () => {
    // Arrange
    const { harness } = await fresh({ POWERTOOLS_METRICS_DISABLED: 'false' });
    const h = await harness.startHarness();
    try {
      const { token } = await h.seedUser();
      for (let i = 0; i < 5; i += 1) await h.change(token, `Wrong-P@ssw0rd-${i}`, SEED_NEW);
      const beforeLockout = takeEmf();

      // Act
      const locked = await h.change(token, SEED_OLD, SEED_NEW);

      // Assert
      expect(locked.statusCode).toBe(429);
      expect(beforeLockout.flatMap(metricNames)).not.toContain('Lockouts');
      const [doc, ...more] = takeEmf();
      expect(more).toEqual([]);
      expect(doc).toMatchObject({ PasswordChangeFailed: 1, Lockouts: 1, reason: 'TOO_MANY_ATTEMPTS', service: 'change-password' });
    } finally {
      await h.stop();
    }
  });
});

describe('X-Ray tracing', () => {
  const tracingFor = (env: Record<string, string>) => loadConfig({ USERS_TABLE: 'users', JWT_SECRET: DEV_JWT_SECRET, ...env }).observability.tracing;

  it('is on only in Lambda with POWERTOOLS_TRACE_ENABLED=true', () => {
    expect(tracingFor({})).toBe(false);
    expect(tracingFor({ POWERTOOLS_TRACE_ENABLED: 'true' })).toBe(false);
    expect(tracingFor({ POWERTOOLS_TRACE_ENABLED: 'false', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' })).toBe(false);
    expect(tracingFor({ POWERTOOLS_TRACE_ENABLED: 'true', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', AWS_SAM_LOCAL: 'true' })).toBe(false);
    expect(tracingFor({ POWERTOOLS_TRACE_ENABLED: 'true', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' })).toBe(true);
  });

  it('captures the DynamoDB client when on, and the handler still answers', async () => {
    // Arrange: Lambda-like environment without an X-Ray daemon or trace header.
    const { harness } = await fresh({
      POWERTOOLS_TRACE_ENABLED: 'true',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
    });
    const h = await harness.startHarness();
    const client = h.deps.tracing.traceClient(createDocumentClient({ endpoint: h.endpoint }));
    const traced = () => client.middlewareStack.identify().some((name) => name.startsWith('XRaySDKInstrumentation'));
    try {
      const { token } = await h.seedUser();
      expect(traced()).toBe(false);

      // Act: the first request loads the tracer, which captures the clients marked so far.
      const res = await h.invoke(harness.apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: SEED_NEW } }));

      // Assert
      expect(res.statusCode).toBe(200);
      expect(traced()).toBe(true);
    } finally {
      await h.stop();
    }
  });

  it('leaves clients untouched when off', () => {
    const tracing = createTracing({ serviceName: 'change-password', metricsNamespace: 'ChangePassword', tracing: false });
    const client = tracing.traceClient(createDocumentClient({ endpoint: 'http://127.0.0.1:1' }));
    expect(tracing.middlewares).toEqual([]);
    expect(client.middlewareStack.identify().some((name) => name.startsWith('XRaySDKInstrumentation'))).toBe(false);
  });
});
