import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../lib/core/errors.js';

/** The README is the front door: small, and it says what the code does. Depth lives in docs/. */
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const README = read('README.md');
const section = (title: string) => README.split(/^## /m).find((s) => s.startsWith(`${title}\n`)) ?? '';
const tableRows = (text: string) =>
  text.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('|---')).slice(1).map((l) => l.split(' | ').map((c) => c.replace(/^\| /, '').trim()));

describe('README.md', () => {
  it('is at most 12,000 bytes', () => {
    expect(Buffer.byteLength(README)).toBeLessThanOrEqual(12_000);
  });

  it('shows the error table of lib/core/errors.ts, row for row', () => {
    const rows = tableRows(section('Errors')).map(([status, code, message]) => ({ status: Number(status), code: Number(code), message }));
    expect(rows).toEqual(Object.values(ERRORS).map(({ status, code, message }) => ({ status, code, message })));
  });

  it('links every docs/*.md, each of which opens with a title and a summary paragraph', () => {
    const docs = readdirSync(new URL('../../docs/', import.meta.url)).filter((f) => f.endsWith('.md'));
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) {
      expect(README).toContain(`](docs/${doc})`);
      expect(read(`docs/${doc}`)).toMatch(/^# .+\n\n[^#|`\n-].+\n/);
    }
  });
});
