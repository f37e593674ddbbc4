import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest here (each 9–20 s, mostly waiting on the processes they start), in
 * that order. Vitest queues a project's files after the previous project's (in-process, isolated,
 * npm-start) and, on a fresh clone with no timings cached, larger files first: left to that, the
 * npm-start project's longest file starts last and runs alone while the other core idles.
 */
const LONGEST = [
  'tests/npm-start/shell-settings.test.ts',
  'tests/deploy/package.test.ts',
  'tests/scripts/notice-invoke-local.test.ts',
  'tests/reliability/dependency-faults.test.ts',
  'tests/fuzz/handler.fuzz.test.ts',
  'tests/adapters/hibp/breached-passwords.test.ts',
];

/** Vitest's order (cached timings, then size), with the longest files moved to the front of the queue. */
export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => {
      const index = LONGEST.findIndex((path) => spec.moduleId.endsWith(path));
      return index === -1 ? LONGEST.length : index;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}
