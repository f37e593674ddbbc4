import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import base from './vitest.config.js';

/**
 * Vitest for mutation testing (`npm run mutate`, stryker.config.mjs). Stryker's vitest runner runs
 * every project of the config it is given and cannot select one, so this config holds only the
 * in-process projects of vitest.config.ts, taken from it by name (their include/exclude, isolation
 * and the ISOLATED_FILES split stay defined in one place): not the project that runs `npm start`,
 * and not tests/deploy or tests/project (see NOT_MUTATION_TESTS). As in vitest.config.ts, files share
 * their worker's modules (isolate: false) except ISOLATED_FILES; vitest starts a fresh worker for
 * every run Stryker asks for, so a mutant that acts at import time ("static") still loads active.
 */
const IN_PROCESS_PROJECTS = new Set(['in-process', 'isolated']);
/** `sls package` (in-process only in name), and the house rules, which read the sources Stryker has instrumented. */
const NOT_MUTATION_TESTS = ['tests/deploy/**', 'tests/project/**'];

const inProcess = (base.test?.projects ?? []).filter(
  (project): project is TestProjectInlineConfiguration =>
    typeof project === 'object' && 'test' in project && IN_PROCESS_PROJECTS.has(project.test?.name as string),
);
if (inProcess.length !== IN_PROCESS_PROJECTS.size) throw new Error(`vitest.config.ts has no projects named ${[...IN_PROCESS_PROJECTS].join(', ')}`);

/**
 * MUTATE_TESTS (optional): comma-separated test folders or files, the only tests a run uses. A
 * module-level ("static") mutant runs every test, and lib/config is mostly a module-level table:
 * with the whole suite (~80 s a run) its ~300 static mutants would take hours, with tests/config
 * seconds. A narrower set can only lower a score (a mutant no chosen test covers survives).
 */
const only = (process.env.MUTATE_TESTS ?? '').split(',').map((s) => s.trim().replace(/\/+$/, '')).filter((s) => s !== '');
const chosen = (include: string[] | undefined): string[] | undefined => {
  if (only.length === 0) return include;
  const files = (include ?? []).filter((file) => !file.includes('*') && only.some((prefix) => file === prefix || file.startsWith(`${prefix}/`)));
  // A project of listed files keeps those chosen; a project of globs takes the chosen folders and files.
  return (include ?? []).some((entry) => entry.includes('*')) ? only.map((prefix) => (prefix.endsWith('.ts') ? prefix : `${prefix}/**/*.test.ts`)) : files;
};

export default defineConfig({
  test: {
    ...base.test,
    // A mutation run shares the CPU with its own sandbox copies and whatever else the machine
    // does; a test that fails its dry run for time stops the whole run, so allow far more than npm test.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    projects: inProcess.map((project) => ({
      ...project,
      test: { ...project.test, include: chosen(project.test?.include), passWithNoTests: true, exclude: [...(project.test?.exclude ?? configDefaults.exclude), ...NOT_MUTATION_TESTS] },
    })),
  },
});
