import type jsonBodyParser from '@middy/http-json-body-parser';
import { describe, expect, it, vi } from 'vitest';
import { readJsonObject } from '../../lib/http.js';

/** The body is parsed by @middy/http-json-body-parser (the design's stack), not by hand. */
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

describe('readJsonObject', () => {
  it('parses through @middy/http-json-body-parser, after our size and content-type checks', () => {
    const body = readJsonObject({ headers: { 'content-type': 'application/json' }, body: '{"oldPassword":"a"}' });
    expect(body).toEqual({ oldPassword: 'a' });
    expect(parsed.bodies).toEqual([{ oldPassword: 'a' }]);
    expect(() => readJsonObject({ headers: { 'content-type': 'text/plain' }, body: '{}' })).toThrow('Content-Type must be application/json');
    expect(parsed.bodies).toHaveLength(1);
  });
});
