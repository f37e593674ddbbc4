/**
 * The dev commands (`npm run token`, `npm run user:create`) are functions from arguments and
 * environment to what they print and their exit code, so tests run them in-process; run as a
 * script, each command's file wires it to the process with {@link runAsCli}.
 */
export type CommandResult = { code: number; stdout: string; stderr: string };
export type Command = (args: string[], env: NodeJS.ProcessEnv) => Promise<CommandResult>;

/** What the command prints on success, one line per entry. */
export const printed = (...lines: string[]): CommandResult => ({ code: 0, stdout: lines.map((line) => `${line}\n`).join(''), stderr: '' });

/** A refusal: the message on stderr and a non-zero exit code. */
export const refused = (code: number, message: string): CommandResult => ({ code, stdout: '', stderr: `${message}\n` });

/** Runs a command with the process's arguments and environment; prints its output and exits with its code. */
export const runAsCli = async (command: Command): Promise<void> => {
  const { code, stdout, stderr } = await command(process.argv.slice(2), process.env);
  process.stdout.write(stdout);
  process.stderr.write(stderr);
  process.exitCode = code;
};
