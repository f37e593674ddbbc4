import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLOCK_TOLERANCE_SECONDS } from '../../lib/core/ports.js';

/**
 * One source per fact: each is defined once in code, and where a copy must stand elsewhere (YAML,
 * JSON events, docs) it is held equal here to that one definition.
 */
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('the clock tolerance (CLOCK_TOLERANCE_SECONDS, lib/core/ports.ts)', () => {
  it('is the one docs/security.md gives the verifier and step-up', () => {
    const security = read('docs/security.md');
    const stated = [...security.matchAll(/(\d+) s of clock skew|\+ (\d+) s old|more than (\d+) s in the future/g)].map((m) => Number(m[1] ?? m[2] ?? m[3]));
    expect(stated).toHaveLength(4);
    expect(new Set(stated)).toEqual(new Set([CLOCK_TOLERANCE_SECONDS]));
  });
});
