import { API } from 'typescript/unstable/sync';
import { NodeFlags, SyntaxKind, type Node, type SourceFile } from 'typescript/unstable/ast';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Scripts a newcomer can read (scripts/ holds the command-line tools, the local stack, the data
 * builders and the benchmarks): no function longer than {@link MAX_FUNCTION_LINES} lines, and no
 * module-level `let` or `var`, whose value changes what the next caller gets, except where a
 * command-line tool really holds state, listed in {@link MODULE_STATE} with the reason. The code
 * that runs when a module loads (its top-level statements other than declarations) counts as one
 * function. Parsed by TypeScript's own parser: typescript 7's API runs the native compiler once
 * over a project of scripts/ alone (no type check, no imports resolved).
 */
const MAX_FUNCTION_LINES = 80;

/** `file: name` of each module-level `let` allowed, and why it must be one. */
const MODULE_STATE: Record<string, string> = {
  'scripts/bench/instrumented.ts: active':
    'the timers patched into the prototypes of the DynamoDB client, bcryptjs and WebCrypto when the timed build loads find the one request being timed here',
};

const root = process.cwd();
/** A project of the scripts alone, read from memory: only parsing is wanted. */
const CONFIG = `${root}/scripts-shape.tsconfig.json`;
/** A file that breaks both rules, given to the same check to prove it can fail. */
const PROBE = `${root}/scripts-shape-probe.ts`;
const PROBE_SOURCE = [
  'let counter = 0;',
  'export const long = () => {',
  ...Array.from({ length: MAX_FUNCTION_LINES }, (_, i) => `  counter += ${i};`),
  '};',
].join('\n');

const FUNCTION_KINDS = new Set([
  SyntaxKind.FunctionDeclaration,
  SyntaxKind.FunctionExpression,
  SyntaxKind.ArrowFunction,
  SyntaxKind.MethodDeclaration,
  SyntaxKind.Constructor,
  SyntaxKind.GetAccessor,
  SyntaxKind.SetAccessor,
]);
/** Top-level statements that declare rather than run. */
const DECLARATION_KINDS = new Set([
  SyntaxKind.ImportDeclaration,
  SyntaxKind.ExportDeclaration,
  SyntaxKind.InterfaceDeclaration,
  SyntaxKind.TypeAliasDeclaration,
  SyntaxKind.FunctionDeclaration,
  SyntaxKind.ClassDeclaration,
  SyntaxKind.EnumDeclaration,
]);

const lineOf = (file: SourceFile, position: number): number => file.getLineAndCharacterOfPosition(position).line + 1;
const linesOf = (file: SourceFile, node: Node): number => lineOf(file, node.end) - lineOf(file, node.getStart(file)) + 1;

/** A function's name as a reader finds it: its own, its variable's or its property's. */
const nameOf = (node: Node): string => {
  const named = (candidate: Node | undefined): string | undefined => {
    const name = (candidate as { name?: { text?: string } } | undefined)?.name;
    return typeof name?.text === 'string' ? name.text : undefined;
  };
  return named(node) ?? named(node.parent) ?? '(anonymous)';
};

/** Whether a top-level variable statement only names functions (each counted on its own). */
const declaresFunctionsOnly = (statement: Node): boolean => {
  const { declarationList } = statement as unknown as { declarationList: { declarations: readonly { initializer?: Node }[] } };
  return declarationList.declarations.every(({ initializer }) => initializer !== undefined && FUNCTION_KINDS.has(initializer.kind));
};

/** What breaks the rules in one parsed file, as `path:line what` lines. */
const violations = (file: SourceFile, path: string): string[] => {
  const found: string[] = [];
  const visit = (node: Node): void => {
    if (FUNCTION_KINDS.has(node.kind)) {
      const lines = linesOf(file, node);
      if (lines > MAX_FUNCTION_LINES) found.push(`${path}:${lineOf(file, node.getStart(file))} ${nameOf(node)} is ${lines} lines (at most ${MAX_FUNCTION_LINES})`);
    }
    node.forEachChild(visit);
  };
  visit(file);
  let loadLines = 0;
  for (const statement of file.statements) {
    if (statement.kind === SyntaxKind.VariableStatement) {
      const { declarationList } = statement as unknown as { declarationList: Node & { declarations: readonly Node[] } };
      const constant = (declarationList.flags & NodeFlags.Const) !== 0 || (declarationList.flags & NodeFlags.Using) !== 0;
      for (const declaration of declarationList.declarations) {
        const key = `${path}: ${nameOf(declaration)}`;
        if (!constant && MODULE_STATE[key] === undefined) found.push(`${path}:${lineOf(file, declaration.getStart(file))} module-level let ${nameOf(declaration)} (hold state in a function, or list it in MODULE_STATE with the reason)`);
      }
      if (declaresFunctionsOnly(statement)) continue;
    } else if (DECLARATION_KINDS.has(statement.kind)) {
      continue;
    }
    loadLines += linesOf(file, statement);
  }
  if (loadLines > MAX_FUNCTION_LINES) found.push(`${path}:1 the code run at load is ${loadLines} lines (at most ${MAX_FUNCTION_LINES}): move it into named functions`);
  return found;
};

let api: API;
let files: Map<string, SourceFile>;

beforeAll(() => {
  const config = JSON.stringify({ compilerOptions: { noResolve: true, noLib: true, types: [], noEmit: true }, include: ['scripts/**/*.ts'], files: [PROBE] });
  const memory: Record<string, string> = { [CONFIG]: config, [PROBE]: PROBE_SOURCE };
  api = new API({ cwd: root, fs: { readFile: (name) => memory[name], fileExists: (name) => (name in memory ? true : undefined) } });
  const [project] = api.updateSnapshot({ openProject: CONFIG }).getProjects();
  if (project === undefined) throw new Error('TypeScript opened no project for scripts/');
  const { program } = project;
  files = new Map(program.getSourceFileNames().flatMap((name) => {
    const file = program.getSourceFile(name);
    return file === undefined ? [] : [[name.slice(root.length + 1), file] as const];
  }));
});
afterAll(() => api?.close());

describe('scripts/', () => {
  it('has no function over 80 lines and no module-level let outside the listed state', () => {
    const scripts = [...files.keys()].filter((path) => path.startsWith('scripts/'));
    expect(scripts.length).toBeGreaterThan(20);
    expect(scripts.flatMap((path) => violations(files.get(path) as SourceFile, path))).toEqual([]);
  });

  it('lists only module-level lets that exist', () => {
    const present = [...files].flatMap(([path, file]) => file.statements.flatMap((statement) => {
      if (statement.kind !== SyntaxKind.VariableStatement) return [];
      const { declarationList } = statement as unknown as { declarationList: { declarations: readonly Node[] } };
      return declarationList.declarations.map((declaration) => `${path}: ${nameOf(declaration)}`);
    }));
    expect(Object.keys(MODULE_STATE).filter((key) => !present.includes(key))).toEqual([]);
  });

  it('finds a long function and a module-level let (the check can fail)', () => {
    const probe = files.get(PROBE.slice(root.length + 1));
    expect(probe).toBeDefined();
    expect(violations(probe as SourceFile, 'probe.ts')).toEqual([
      `probe.ts:2 long is ${MAX_FUNCTION_LINES + 2} lines (at most ${MAX_FUNCTION_LINES})`,
      'probe.ts:1 module-level let counter (hold state in a function, or list it in MODULE_STATE with the reason)',
    ]);
  });
});
