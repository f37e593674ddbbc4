import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overlapWithIo } from '../../../lib/core/change-password.js';
import type { HttpResult } from '../../../lib/http/event.js';
import type { PolicyRule } from '../../../lib/core/policy/password-rule.js';
import type { UserStore } from '../../../lib/core/ports.js';
import { apiEvent, parseBody, SEED_NEW, SEED_OLD, startHarness, type Harness } from '../../support/harness.js';

/**
 * The policy's rules that need no user run while DynamoDB reserves the attempt (lib/core/change-password.ts),
 * against the real handler and a real DynamoDB API server. The answers keep the documented order.
 */
let h: Harness;
let invoke: Harness['invoke'];
/** Resolves the pending attempt reservation, when a test holds it back. */
let release: (() => void) | undefined;
let held = false;
const events: string[] = [];

beforeAll(async () => {
  h = await startHarness();
  const realStore: UserStore = h.deps.store;
  // The real store, whose reservation answers only when the test lets it.
  const store: UserStore = {
    ...realStore,
    beginAttempt: async (...args) => {
      const attempt = await realStore.beginAttempt(...args);
      if (release !== undefined) {
        await new Promise<void>((resolve) => {
          release = () => { events.push('user loaded'); resolve(); };
          held = true;
        });
      }
      return attempt;
    },
    releaseAttempt: (...args) => realStore.releaseAttempt(...args),
    replacePasswordHash: (...args) => realStore.replacePasswordHash(...args),
  };
  // A rule that needs no user, watching when it runs.
  const spy: PolicyRule = { id: 'spy', deferred: true, test: () => (events.push('policy ran'), true) };
  // As Lambda composes it (one change per container): the checks overlap the reservation.
  invoke = h.invokerWith({ store, policy: [...h.deps.policy, spy], scheduling: overlapWithIo });
});
afterAll(() => h.stop());

const codeOf = (res: HttpResult) => (parseBody(res) as { error?: { code: number } }).error?.code;
const change = (token: string, oldPassword: string, newPassword: string) => invoke(apiEvent({ token, body: { oldPassword, newPassword } }));

describe('policy checks while the attempt is being reserved', () => {
  it('runs the rules that need no user before the user has been loaded', async () => {
    const { token } = await h.seedUser();
    events.length = 0;
    held = false;
    release = () => undefined;
    const pending = change(token, SEED_OLD, SEED_NEW);
    // The reservation reaches DynamoDB and comes back, and is then held until released.
    while (!held) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    release = undefined;
    expect((await pending).statusCode).toBe(200);
    expect(events).toEqual(['policy ran', 'user loaded']);
  });

  it('still answers 429 before the policy for a locked-out user with a weak new password', async () => {
    const { token } = await h.seedUser();
    for (let i = 0; i < 5; i += 1) expect(codeOf(await change(token, `Wrong-P@ss-${i}`, SEED_NEW))).toBe(5023);
    expect(codeOf(await change(token, SEED_OLD, 'weakpassword'))).toBe(5029);
  });

  it('still answers 404 before the policy for an unknown user', async () => {
    const { mintToken } = await import('../../../scripts/local/dev-token.js');
    expect(codeOf(await change(await mintToken('nobody-here'), SEED_OLD, 'weakpassword'))).toBe(3001);
  });

  it('refuses a password built on the user\'s own words, known only once the user is loaded, and gives the attempt back', async () => {
    const { userId, token } = await h.seedUser({ email: 'ana.silva@example.com', username: 'asilva' });
    const res = await change(token, SEED_OLD, 'Ana.Silva1985!');
    expect(codeOf(res)).toBe(5025);
    expect((parseBody(res) as { error: { details: { failedRules: string[] } } }).error.details.failedRules).toContain('personalInfo');
    expect((await h.getItem(userId))?.oldPasswordAttempts ?? 0).toBe(0);
  });
});
