/**
 * Generates lib/core/policy/password-strength-data.ts: the compact dictionaries the strength rules use.
 *
 *   npm run build:password-data
 *
 * The zxcvbn-ts language packages hold megabytes of ranked word lists (the leaked-password list
 * alone is 49k entries). Bundled whole they would triple the Lambda zip and cost ~0.5 s to index
 * on every cold start, so this keeps the top of each ranked list. zxcvbn ranks a word by its
 * position, so truncating a list keeps every kept word's rank (and so its guess estimate) exactly;
 * a dropped word is rarer than rank N and is estimated as brute force instead.
 *
 * The kept lists are written the way the strength rule reads them (lib/core/policy/sorted-walk.ts):
 * one list of every word sorted, each at its best rank over the lists, so a cold start neither
 * merges nor sorts; the word-sequence lists (months, planets…) also as one such list of their own.
 *
 * The output is committed; rerun this after upgrading the language packages or changing LIMITS.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Options } from '@zxcvbn-ts/core';
import { dictionary as commonDictionary, adjacencyGraphs } from '@zxcvbn-ts/language-common';
import { dictionary as enDictionary } from '@zxcvbn-ts/language-en';

/**
 * How many top-ranked entries of each list to keep (absent: dropped). The leaked-password list is
 * also the blocklist, so it keeps the most: OWASP ASVS 5.0 V6.2.4 asks for at least the top 3000,
 * and online guessing is throttled far below 10 000 tries. The others only feed zxcvbn, whose
 * first-use cost grows with every word (~2 µs each); Wikipedia words overlap the common words
 * and are dropped. Changing these changes the bundle size and the first strength check's cost.
 */
const LIMITS: Record<string, number> = {
  'passwords-common': 10_000,
  'commonWords-en': 3_000,
  'firstnames-en': 1_000,
  'lastnames-en': 1_000,
};
/** zxcvbn's word-sequence lists (months, planets…) are tiny and kept whole. */
const KEEP_WHOLE = /^(cardinalNumbers|ordinalNumbers|daysOfWeek|months|seasons|timePeriods|rainbowColors|directions|intermediateDirections|sizeProgression|militaryAlphabet|planets|zodiacSigns|chineseZodiac)-/;
/**
 * zxcvbn gets the top of the 10 000-entry blocklist only: indexing a word costs first-use time,
 * a leaked password past this rank is still estimated as at least this many guesses (a composition-
 * compliant one far more), and the blocklist refuses it on its own anyway.
 */
export const ZXCVBN_PASSWORDS = 5_000;
/** The list that is also the blocklist (NIST SP 800-63B-4 §3.1.1.2). */
const BLOCKLIST = 'passwords-common';
/** Keyboard layouts for the spatial matcher (keyboard walks such as "qwerty", "1qaz2wsx"). */
const GRAPHS = ['qwerty', 'dvorak', 'keypad', 'keypadMac'];

export const OUTPUT = new URL('../../lib/core/policy/password-strength-data.ts', import.meta.url);
/** This script as a repository path, for the generated file's header. */
const SELF = relative(fileURLToPath(new URL('../..', import.meta.url)), fileURLToPath(import.meta.url));

const version = (name: string): string => {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve(`${name}/package.json`);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
};

/** The ranked lists kept, most common first, by name: what zxcvbn-ts built the ordinary way is given (the blocklist cut to ZXCVBN_PASSWORDS). */
export const keptLists = (): Record<string, string[]> => {
  const all: Record<string, readonly (string | number)[]> = { ...commonDictionary, ...enDictionary };
  const kept: Record<string, string[]> = {};
  for (const [name, list] of Object.entries(all)) {
    const limit = LIMITS[name] ?? (KEEP_WHOLE.test(name) ? list.length : 0);
    if (limit === 0) continue;
    const words = list.slice(0, limit).map(String);
    // The words are joined with "\n" and split again at run time.
    if (words.some((w) => w.includes('\n') || w === '')) throw new Error(`${name} has an entry that cannot be joined with newlines`);
    kept[name] = words;
  }
  return kept;
};

/** Every word of `lists` at its best rank, sorted by UTF-16 code units (Array.prototype.sort's order); `extra` words at rank 0. */
const sortedRanked = (lists: readonly (readonly string[])[], extra: readonly string[] = []): { words: string[]; ranks: number[] } => {
  const best = new Map<string, number>(extra.map((word) => [word, 0]));
  for (const words of lists) {
    words.forEach((word, index) => {
      const rank = best.get(word);
      if (rank === undefined || rank === 0 || index + 1 < rank) best.set(word, index + 1);
    });
  }
  const words = [...best.keys()].sort();
  return { words, ranks: words.map((word) => best.get(word) ?? 0) };
};

/** The data file's text, from the installed language packages; `words` counts the distinct words kept. */
export const passwordDataSource = (): { source: string; lists: number; words: number } => {
  const kept = keptLists();
  const blocklist = kept[BLOCKLIST] ?? [];
  const zxcvbnOptions = new Options();
  const forZxcvbn = Object.entries(kept).map(([name, words]) => (name === BLOCKLIST ? words.slice(0, ZXCVBN_PASSWORDS) : words));
  const all = sortedRanked(forZxcvbn, blocklist);
  const onBlocklist = new Set(blocklist);
  const sequenceLists = Object.entries(kept).filter(([name]) => zxcvbnOptions.isWordSequence(name));
  const sequences = sortedRanked(sequenceLists.map(([, words]) => words));
  const graphs = Object.fromEntries(GRAPHS.map((name) => {
    const graph = (adjacencyGraphs as Record<string, unknown>)[name];
    if (graph === undefined) throw new Error(`@zxcvbn-ts/language-common has no "${name}" adjacency graph`);
    return [name, graph];
  }));

  const source = `// Generated by ${SELF} (npm run build:password-data); do not edit.
// From @zxcvbn-ts/language-common ${version('@zxcvbn-ts/language-common')} and @zxcvbn-ts/language-en ${version('@zxcvbn-ts/language-en')} (MIT).
// Top entries kept per list: ${JSON.stringify(LIMITS)}, of which zxcvbn-ts gets the top ${ZXCVBN_PASSWORDS} of ${BLOCKLIST}; graphs: ${GRAPHS.join(', ')}.

/** Every word of the kept lists, sorted by UTF-16 code units, one per line. */
export const WORDS = ${JSON.stringify(all.words.join('\n'))};

/** Each word's best rank over the lists zxcvbn-ts gets (0: a blocklist entry past its top ${ZXCVBN_PASSWORDS} and in no other list). */
export const RANKS: readonly number[] = ${JSON.stringify(all.ranks)};

/** "1" for each word on the blocklist (the top ${blocklist.length} of ${BLOCKLIST}), "0" for the others. */
export const BLOCKLISTED = ${JSON.stringify(all.words.map((word) => (onBlocklist.has(word) ? '1' : '0')).join(''))};

/** zxcvbn-ts's word-sequence lists (${sequenceLists.map(([name]) => name).join(', ')}) as one, named for the first. */
export const SEQUENCE_LIST_NAME = ${JSON.stringify(sequenceLists[0]?.[0] ?? '')};
export const SEQUENCE_WORDS = ${JSON.stringify(sequences.words.join('\n'))};
export const SEQUENCE_RANKS: readonly number[] = ${JSON.stringify(sequences.ranks)};

/** Keyboard adjacency graphs as JSON, parsed on first use. */
export const ADJACENCY_GRAPHS_JSON = ${JSON.stringify(JSON.stringify(graphs))};
`;
  return { source, lists: Object.keys(kept).length, words: all.words.length };
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { source, lists, words } = passwordDataSource();
  writeFileSync(OUTPUT, source);
  console.log(`wrote ${OUTPUT.pathname}: ${lists} lists, ${words} distinct words, ${source.length} characters`);
}
