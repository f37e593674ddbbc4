import { describe, expect, it } from 'vitest';
import { userAgent, type HttpEvent } from '../../lib/http/event.js';

/** The User-Agent a change records (its event, the owner's notice, the log line), read from either API Gateway event. */
describe('userAgent', () => {
  const recorded = { requestContext: { http: { userAgent: 'recorded-by-api-gateway/1.0' } } };

  it.each<[string, HttpEvent, string | undefined]>([
    ['the header, in any case, over what API Gateway recorded', { ...recorded, headers: { Accept: '*/*', 'USER-Agent': 'header/2.0' } }, 'header/2.0'],
    ['what API Gateway recorded when no header names it', { ...recorded, headers: { Accept: '*/*' } }, 'recorded-by-api-gateway/1.0'],
    ['what API Gateway recorded when the event has no headers', { ...recorded, headers: null }, 'recorded-by-api-gateway/1.0'],
    ['nothing when neither says', { headers: { accept: '*/*' } }, undefined],
  ])('is %s', (_case, event, expected) => {
    expect(userAgent(event)).toBe(expected);
  });

  it('is cleaned: a forged header line becomes one line', () => {
    expect(userAgent({ headers: { 'user-agent': 'curl/8.5.0\r\nX-Forged: yes' } })).toBe('curl/8.5.0 X-Forged: yes');
  });
});
