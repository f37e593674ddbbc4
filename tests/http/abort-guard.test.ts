import { describe, expect, it } from 'vitest';
import { guardWithSignal } from '../../lib/http/abort-guard.js';
import { appErrorOf } from '../support/rejection.js';

/** No store call starts once middy has answered its early 503 (the signal aborted); what is not a call passes through. */
const port = () => {
  const calls: string[] = [];
  return { calls, table: 'users', read: (id: string) => (calls.push(id), Promise.resolve(`item ${id}`)) };
};

describe('guardWithSignal', () => {
  it('passes calls through while the signal has not aborted, and leaves other properties as they are', async () => {
    const target = port();
    const guarded = guardWithSignal(target, new AbortController().signal);

    expect(await guarded.read('u1')).toBe('item u1');
    expect(guarded.table).toBe('users');
    expect(target.calls).toEqual(['u1']);
  });

  it('refuses every call after the abort with 503, naming the call in the cause, and never reaches the port', async () => {
    const target = port();
    const controller = new AbortController();
    const guarded = guardWithSignal(target, controller.signal);
    controller.abort();

    const error = await appErrorOf(guarded.read('u1'));

    expect(error.key).toBe('SERVICE_UNAVAILABLE');
    expect(error.cause).toEqual({ reason: 'aborted before a store call', call: 'read' });
    expect(target.calls).toEqual([]);
  });
});
