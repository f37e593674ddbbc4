import { describe, expect, it } from 'vitest';
import { parseBody, SEED_OLD, useHarness } from '../../support/harness.js';

/** The guessability rules (commonPassword, personalInfo, strength) through the real handler. */
const { h } = useHarness();

const ANA = { email: 'ana.silva@example.com', username: 'asilva' };

describe('strength, not just composition', () => {
  it.each([
    ['P@ssw0rd123!', 'commonPassword'],
    ['Summer2024!', 'commonPassword'],
    ['Qwerty123!', 'commonPassword'],
    ['1qaz@WSX3edc', 'commonPassword'],
    ['Q1w2e3r4t5!', 'strength'],
    ['Ana.Silva1985!', 'personalInfo'],
  ])('refuses %s with 400 5025 naming %s, and changes nothing', async (newPassword, rule) => {
    const { userId, token } = await h.seedUser(ANA);
    const before = await h.getItem(userId);
    const res = await h.change(token, SEED_OLD, newPassword);
    expect(res.statusCode).toBe(400);
    const { error } = parseBody(res) as { error: { code: number; details: { failedRules: string[] } } };
    expect(error.code).toBe(5025);
    expect(error.details.failedRules).toContain(rule);
    expect((await h.getItem(userId))?.passwordHash).toBe(before?.passwordHash);
  });

  it.each(['NewSecureP@ssw0rd!', 'Blue-Cactus-Ladder-42', 'k7#Vq2!xLp9$'])('accepts %s', async (newPassword) => {
    const { token } = await h.seedUser(ANA);
    expect((await h.change(token, SEED_OLD, newPassword)).statusCode).toBe(200);
  });
});
