import { afterEach, describe, expect, it, vi } from 'vitest';

/**
 * The logger's second line of defence: values under secret-looking keys are redacted at any depth
 * (the code never logs them in the first place; tests/compose/default-handler.test.ts checks that).
 */
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const logged = async (attributes: Record<string, unknown>): Promise<string> => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
  vi.resetModules();
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(chunk.toString());
    return true;
  });
  const { createLogger } = await import('../../lib/http/logger.js');
  createLogger({ serviceName: 'change-password' }).info('redaction check', attributes);
  return lines.join('');
};

describe('logger redaction', () => {
  it.each([
    ['password', 'hunter2-hunter2'],
    ['passphrase', 'correct horse battery staple'],
    ['oldPassword', 'old-secret-value'],
    ['newPasswordHash', '$2b$04$abcdefghijklmnopqrstuu'],
    ['passwordHistory', ['$2b$04$history-hash-value']],
    ['token', 'eyJ.the.token'],
    ['authorization', 'Bearer eyJ.header.token'],
    ['Authorisation', 'Bearer eyJ.british.token'],
    ['cookie', 'session=abc123'],
    ['body', '{"oldPassword":"x"}'],
    ['jwtSecret', 'a-32-byte-or-longer-secret-value'],
    ['credentials', { accessKeyId: 'AKIAEXAMPLE' }],
  ])('replaces the value of %s, at the top level and nested, with [REDACTED]', async (key, value) => {
    const text = await logged({ [key]: value, nested: { deeper: { [key]: value } }, visible: 'kept-value' });
    const entry = JSON.parse(text) as Record<string, unknown>;
    expect(entry[key]).toBe('[REDACTED]');
    expect(entry.nested).toEqual({ deeper: { [key]: '[REDACTED]' } });
    expect(entry.visible).toBe('kept-value');
    expect(text).not.toContain(JSON.stringify(value).slice(1, -1));
  });

  it('leaves ordinary keys alone', async () => {
    const entry = JSON.parse(await logged({ userId: 'user-1', outcome: 'refused', code: 5023, statusCode: 400 })) as Record<string, unknown>;
    expect(entry).toMatchObject({ userId: 'user-1', outcome: 'refused', code: 5023, statusCode: 400 });
  });
});
