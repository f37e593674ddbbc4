import { describe, expect, it, vi } from 'vitest';
import type { PendingEvent } from '../../lib/core/password-changed.js';
import type { HttpEvent } from '../../lib/http/event.js';
import { createMetrics } from '../../lib/http/observability.js';
import { apiEvent, errorCode, lambdaContext, SEED_NEW, SEED_OLD, useHarness } from '../support/harness.js';

/**
 * The events the handler accepts besides API Gateway's payload 2.0: a REST API (payload 1.0) event,
 * and a direct invoke that carries no request context at all. Where the method and the caller's IP
 * come from is read back from the PasswordChanged event the change records with its write. And the cold start
 * it asks Powertools to count (tests/http/observability.test.ts reads the metrics themselves).
 */
const { h } = useHarness();
const BODY = { oldPassword: SEED_OLD, newPassword: SEED_NEW };

/** The handler as deployed with a bus: each change records its event on the user's item. */
const withEvents = () => h.invokerWith({ events: { region: 'eu-west-1' } });
/** The events a user's changes recorded. */
const eventsOf = async (userId: string) => ((await h.getItem(userId))?.pendingPasswordChanged ?? []) as PendingEvent[];

/** The same request as a REST API event: the method in httpMethod, the IP under identity. */
const restEvent = (token: string, method = 'POST', requestContext: HttpEvent['requestContext'] = { requestId: 'rest-1', identity: { sourceIp: '198.51.100.4' } }): HttpEvent => {
  const { version: _version, requestContext: _v2, ...rest } = apiEvent({ token, body: BODY });
  return { ...rest, httpMethod: method, requestContext };
};

describe('the events the change handler reads', () => {
  it('changes the password from a REST API event, with its request id and caller IP', async () => {
    const { userId, token } = await h.seedUser();
    const invoke = withEvents();

    expect((await invoke(restEvent(token))).statusCode).toBe(200);

    expect(await eventsOf(userId)).toEqual([expect.objectContaining({ userId, requestId: 'rest-1', sourceIp: '198.51.100.4' })]);
  });

  it('answers 405 to a REST API event of another method', async () => {
    const { token } = await h.seedUser();
    expect(errorCode(await h.invoke(restEvent(token, 'PUT')))).toBe(1005);
  });

  it.each([
    ['no request context (a direct invoke)', undefined],
    ['a request context with only its id', { requestId: 'direct-1' }],
  ])('changes the password from an event with %s, with no caller IP', async (_case, requestContext) => {
    const { userId, token } = await h.seedUser();
    const invoke = withEvents();
    const { requestContext: _given, ...event } = apiEvent({ token, body: BODY });

    expect((await invoke(requestContext === undefined ? event : { ...event, requestContext })).statusCode).toBe(200);

    const [recorded] = await eventsOf(userId);
    expect(recorded).toMatchObject({ userId });
    expect(recorded?.requestId).toBe(requestContext?.requestId);
    expect(recorded).not.toHaveProperty('sourceIp');
  });
});

describe('the cold start', () => {
  it('asks Powertools Metrics to count it, naming the function', async () => {
    const metrics = createMetrics({ serviceName: 'change-password', metricsNamespace: 'ChangePassword', tracing: false });
    const coldStart = vi.spyOn(metrics, 'captureColdStartMetric');
    const context = lambdaContext();

    await h.invokerWith({ metrics })(apiEvent({ body: {} }), context);

    expect(coldStart.mock.calls).toEqual([[context.functionName]]);
  });
});
