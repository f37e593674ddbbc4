import type jsonBodyParser from '@middy/http-json-body-parser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiEvent, errorCode, startHarness, type Harness } from '../support/harness.js';

/** The body is parsed by @middy/http-json-body-parser (the design's stack), `.use()`d in the handler's chain. */
const parsed = vi.hoisted(() => ({ bodies: [] as unknown[] }));
vi.mock('@middy/http-json-body-parser', async (importOriginal) => {
  const real = await importOriginal<{ default: typeof jsonBodyParser }>();
  return {
    ...real,
    default: (options: Parameters<typeof jsonBodyParser>[0]) => {
      const middleware = real.default(options);
      return {
        before: (request: { event: { body: unknown } }) => {
          const result: unknown = middleware.before?.(request as never);
          parsed.bodies.push(request.event.body);
          return result;
        },
      };
    },
  };
});

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

describe('the JSON body parser in the middy chain', () => {
  it('parses through @middy/http-json-body-parser, after our size and content-type checks', async () => {
    const { token } = await h.seedUser();
    expect(errorCode(await h.invoke(apiEvent({ token, rawBody: '{"oldPassword":"a"}' })))).toBe(1002);
    expect(parsed.bodies).toEqual([{ oldPassword: 'a' }]);
    expect(errorCode(await h.invoke(apiEvent({ token, rawBody: '{}', headers: { 'content-type': 'text/plain' } })))).toBe(1003);
    expect(parsed.bodies).toHaveLength(1);
  });
});
