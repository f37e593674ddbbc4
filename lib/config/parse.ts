/**
 * The generic readers of environment variables: a trimmed value or none, a whole number in the
 * variable's range, a boolean, one of a list, a comma-separated list. Each throws ConfigError
 * naming the variable. The rules of one setting (the table layout, the JWT key source) live with
 * the module it configures; these are only the shapes every variable shares.
 */
import * as v from 'valibot';
import { ConfigError } from '../core/settings.js';
import { VARIABLES, type VariableName } from './variables.js';

/** The value trimmed, or undefined when unset or blank. */
export const optional = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

/**
 * The named variables, each trimmed or undefined: what an adapter's own option check takes, keyed
 * by the names of the table (lib/config/variables.ts), so a renamed variable fails to compile there.
 */
export const settingsOf = <N extends VariableName>(env: NodeJS.ProcessEnv, names: readonly N[]): Record<N, string | undefined> =>
  Object.fromEntries(names.map((name) => [name, optional(env[name])])) as Record<N, string | undefined>;

type RangedVariable = { [N in VariableName]: (typeof VARIABLES)[N] extends { range: object } ? N : never }[VariableName];
type IntegerVariable = { [N in RangedVariable]: (typeof VARIABLES)[N] extends { default: number } ? N : never }[RangedVariable];

/** A whole number in the variable's range, or undefined when unset. */
export const optionalInteger = (env: NodeJS.ProcessEnv, name: RangedVariable): number | undefined => {
  const { min, max } = VARIABLES[name].range;
  const raw = optional(env[name]);
  if (raw === undefined) return undefined;
  const parsed = v.safeParse(v.pipe(v.string(), v.regex(/^\d+$/), v.transform(Number), v.integer(), v.minValue(min), v.maxValue(max)), raw);
  if (!parsed.success) throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  return parsed.output;
};

/** A whole number in the variable's range (lib/config/variables.ts), else `fallback` or its default. */
export const integer = (env: NodeJS.ProcessEnv, name: IntegerVariable, fallback?: number): number => optionalInteger(env, name) ?? fallback ?? VARIABLES[name].default;

/** `true` or `false` in any case, else `fallback` when unset. */
export const boolean = (env: NodeJS.ProcessEnv, name: VariableName, fallback: boolean): boolean => {
  const raw = optional(env[name])?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw !== 'true' && raw !== 'false') throw new ConfigError(`${name} must be true or false (got "${raw}")`);
  return raw === 'true';
};

/** One of `allowed`, else `fallback` when unset. */
export const oneOf = <T extends string>(env: NodeJS.ProcessEnv, name: VariableName, allowed: readonly T[], fallback: T): T => {
  const raw = optional(env[name]) ?? fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
  return raw as T;
};

/** A comma-separated list, trimmed, without empty entries. */
export const list = (raw: string | undefined): string[] => (raw ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
