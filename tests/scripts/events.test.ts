import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpEvent } from '../../lib/http/event.js';
import { DEMO_USER } from '../../scripts/local/dev-token.js';
import { putUser } from '../../scripts/local/dynamodb.js';
import { errorCode, startHarness, TEST_COST, type Harness } from '../support/harness.js';

/**
 * events/*.json, as `npx sls invoke local` sends them, against the real handler with the demo
 * user; each must answer what its line in docs/local-development.md promises (`# <status> [code]`).
 */
const EVENTS = new URL('../../events/', import.meta.url);
const GUIDE = readFileSync(new URL('../../docs/local-development.md', import.meta.url), 'utf8');
const files = readdirSync(EVENTS).filter((f) => f.endsWith('.json')).sort();

/** `npx sls invoke local -f changePassword -p events/<name>.json  # <status> [code]` lines. */
const documented = new Map(
  [...GUIDE.matchAll(/sls invoke local -f changePassword -p events\/([\w-]+\.json)\s+#\s*(\d{3})(?:\s+(\d{4}))?/g)].map((m) => [
    m[1] as string,
    { status: Number(m[2]), code: m[3] === undefined ? undefined : Number(m[3]) },
  ]),
);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

describe('events/', () => {
  it('has a line in docs/local-development.md for every event, and an event for every line', () => {
    expect([...documented.keys()].sort()).toEqual(files);
  });

  it('covers every answer the function itself can be driven to by one request', () => {
    const statuses = new Set([...documented.values()].map((d) => `${d.status}${d.code === undefined ? '' : ` ${d.code}`}`));
    for (const outcome of ['200', '400 5023', '401 4001', '401 4002', '404 3001', '400 1001', '400 1002', '415 1003', '413 1004', '405 1005', '400 5024', '400 5025']) {
      expect(statuses).toContain(outcome);
    }
  });

  it.each(files)('%s answers what docs/local-development.md says', async (file) => {
    // Arrange: the demo user as npm start seeds it.
    await putUser(h.endpoint, h.table, { ...DEMO_USER }, TEST_COST);
    const event = JSON.parse(readFileSync(new URL(file, EVENTS), 'utf8')) as HttpEvent;
    const expected = documented.get(file);

    // Act
    const res = await h.invoke(event);

    // Assert
    expect(res.statusCode).toBe(expected?.status);
    // The documented code, or none at all for the 200.
    expect(errorCode(res)).toBe(expected?.code);
  });
});
