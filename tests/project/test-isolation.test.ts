import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ISOLATED_FILES, PROCESS_WIDE } from '../support/isolated-files.js';

/** Test files share modules within a worker (in-process and npm-start projects): one that changes process-wide state must run isolated. */
const testFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []));

describe('test isolation', () => {
  // This file names the patterns it looks for, so it is left out of its own check.
  const sharing = testFiles('tests').filter((file) => file !== 'tests/project/test-isolation.test.ts');

  it('runs every file that mocks modules, stubs the environment or spies on process streams in a fresh process', () => {
    const needing = sharing.filter((file) => PROCESS_WIDE.test(readFileSync(file, 'utf8')));
    expect(Object.keys(ISOLATED_FILES)).toEqual(expect.arrayContaining(needing));
    expect(needing.length).toBeGreaterThan(0);
  });

  it('recognises each kind of process-wide change', () => {
    for (const line of ["vi.mock('x')", "vi.stubEnv('A', 'b')", 'vi.resetModules()', "vi.spyOn(process.stdout, 'write')", "process.env.FOO = 'x'", "process.env['FOO'] = 'x'"]) {
      expect(PROCESS_WIDE.test(line), line).toBe(true);
    }
    expect(PROCESS_WIDE.test('process.env.FOO === undefined')).toBe(false);
  });
});
