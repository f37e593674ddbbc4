import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../lib/core/errors.js';
import type { UserStore } from '../../lib/core/ports.js';
import { createLogger } from '../../lib/http/logger.js';
import { apiEvent, lambdaContext, parseBody, SEED_NEW, SEED_OLD, useHarness } from '../support/harness.js';

/**
 * What the envelope logs for each answer it makes of an error: a refusal (4xx) at info, a failure
 * (5xx) at error with the error's name and stack frames but never its message, which could quote
 * input; the cause of one of ours. Read from the handler's logger, through the real handler.
 */
const { h } = useHarness();
const BODY = { oldPassword: SEED_OLD, newPassword: SEED_NEW };

/** A handler whose store's first call fails with `reason`, and its logger's info and error calls. */
const failingWith = (reason: () => Promise<never>) => {
  const logger = createLogger({ serviceName: 'change-password' });
  const info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
  const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
  const store: UserStore = { beginAttempt: reason, releaseAttempt: () => Promise.resolve(), replacePasswordHash: () => Promise.resolve() };
  return { invoke: h.invokerWith({ logger, store }), info, error };
};
const fieldsOf = (spy: { mock: { calls: unknown[][] } }) => spy.mock.calls.map(([, fields]) => fields as Record<string, unknown>);

describe('the envelope’s log line', () => {
  it('logs a 500 at error, with the error’s name and its stack frames, without its first line (its message)', async () => {
    const { token } = await h.seedUser();
    const thrown = new Error('request held "CurrentSecureP@ss123"');
    const { invoke, info, error } = failingWith(() => Promise.reject(thrown));

    const res = await invoke(apiEvent({ token, body: BODY }));

    expect(res.statusCode).toBe(500);
    expect(info.mock.calls.map(([message]) => message)).not.toContain('password change attempt');
    expect(error.mock.calls.map(([message]) => message)).toEqual(['password change attempt']);
    const [fields] = fieldsOf(error);
    expect(fields).toMatchObject({ outcome: 'failed', statusCode: 500, code: 9000, cause: undefined, errorName: 'Error' });
    const frames = fields?.frames as string;
    expect(typeof frames).toBe('string');
    expect(frames.split('\n')).toHaveLength((thrown.stack ?? '').split('\n').length - 1);
    for (const line of frames.split('\n')) expect(line).toMatch(/^\s+at /);
    expect(JSON.stringify(error.mock.calls)).not.toContain(SEED_OLD);
  });

  it('logs a 503 of ours at error with its cause, and no frames', async () => {
    const { token } = await h.seedUser();
    const { invoke, error } = failingWith(() => Promise.reject(new AppError('SERVICE_UNAVAILABLE', { cause: { dependency: 'dynamodb' } })));

    expect((await invoke(apiEvent({ token, body: BODY }))).statusCode).toBe(503);

    expect(fieldsOf(error)).toEqual([{ outcome: 'failed', statusCode: 503, code: 9001, cause: { dependency: 'dynamodb' }, errorName: 'AppError', frames: undefined }]);
  });

  it.each([
    ['an error without a stack', () => Object.assign(new Error('no stack'), { stack: undefined }), 'Error'],
    // A dependency's promise may reject with anything at all.
    ['undefined', () => undefined as unknown as Error, undefined],
  ])('answers 500 9000 when a dependency fails with %s, and logs it', async (_case, make, errorName) => {
    const { token } = await h.seedUser();
    const { invoke, error } = failingWith(() => Promise.reject(make()));

    const res = await invoke(apiEvent({ token, body: BODY }));

    expect(res.statusCode).toBe(500);
    expect(parseBody(res)).toEqual({ status: false, error: { code: 9000, message: 'Internal server error' } });
    expect(fieldsOf(error)).toEqual([{ outcome: 'failed', statusCode: 500, code: 9000, cause: undefined, errorName, frames: undefined }]);
  });

  it('logs a refusal at info with its status and code, and nothing at error', async () => {
    const { token } = await h.seedUser();
    const { invoke, info, error } = failingWith(() => Promise.reject(new Error('not reached')));

    const res = await invoke(apiEvent({ token, body: { oldPassword: SEED_OLD } }));

    expect(res.statusCode).toBe(400);
    expect(info.mock.calls).toEqual([['password change attempt', { outcome: 'refused', statusCode: 400, code: 1002, cause: undefined }]]);
    expect(error.mock.calls).toEqual([]);
  });

  it('logs the early 503 before the Lambda deadline with its reason', async () => {
    const { token } = await h.seedUser();
    const { invoke, error } = failingWith(() => new Promise<never>(() => undefined));

    const res = await invoke(apiEvent({ token, body: BODY }), lambdaContext(600));

    expect(res.statusCode).toBe(503);
    expect(fieldsOf(error)).toEqual([expect.objectContaining({ outcome: 'failed', statusCode: 503, cause: { reason: 'lambda timeout approaching' } })]);
  });
});
