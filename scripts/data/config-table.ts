/**
 * `npm run docs:config`: writes the README's configuration table from lib/config/variables.ts, the
 * one table of environment variables. tests/config/variables.test.ts fails when the README's table
 * is not what this renders.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { VARIABLES, type Variable } from '../../lib/config/variables.js';

const README = new URL('../../README.md', import.meta.url);
const HEADER = '| variable | default | meaning |\n|---|---|---|\n';

const cell = (text: string): string => text.replaceAll('|', '\\|');

/** One row: the default as the table has it (or its text), the meaning with its range. */
const row = (name: string, variable: Variable): string => {
  const shown = variable.defaultText ?? (variable.default === undefined ? '—' : `\`${String(variable.default)}\``);
  const range = variable.range === undefined ? '' : `${variable.range.min}–${variable.range.max}`;
  return `| \`${name}\` | ${cell(shown)} | ${cell(variable.meaning.replace('{range}', range))} |\n`;
};

/** The README's configuration table: every variable the table marks for it, in the table's order. */
export const configTable = (): string =>
  HEADER + Object.entries(VARIABLES).filter(([, variable]) => variable.readme).map(([name, variable]) => row(name, variable as Variable)).join('');

/** The README with its configuration table replaced by {@link configTable}. */
export const withConfigTable = (readme: string): string => {
  const start = readme.indexOf(HEADER);
  if (start < 0) throw new Error('README.md has no configuration table header');
  const end = readme.indexOf('\n\n', start);
  return `${readme.slice(0, start)}${configTable()}${readme.slice(end + 1)}`;
};

if (import.meta.main) {
  writeFileSync(README, withConfigTable(readFileSync(README, 'utf8')));
  console.log('README.md: configuration table written from lib/config/variables.ts');
}
