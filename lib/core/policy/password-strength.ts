import { ZxcvbnFactory, type OptionsGraph } from '@zxcvbn-ts/core';
import { codePointLength, type PolicyContext, type PolicyRule } from './password-rule.js';
import { ADJACENCY_GRAPHS_JSON, BLOCKLISTED, RANKS, SEQUENCE_LIST_NAME, SEQUENCE_RANKS, SEQUENCE_WORDS, WORDS } from './password-strength-data.js';
import { indexOfWord, rankedDictionary, useSortedWalk, type SortedList } from './sorted-walk.js';

/**
 * Guessability rules: composition rules alone let "P@ssw0rd123!" and "Summer2024!" through, so
 * these refuse what an attacker tries first.
 *
 * - `commonPassword`: the password is a leaked password (top of the zxcvbn-ts list), also once
 *   lower-cased, with l33t spelling undone, with shifted digits unshifted ("1qaz@WSX" is
 *   "1qaz2wsx") or with up to 6 digits/symbols stripped from either end ("Football1!").
 *   NIST SP 800-63B-4 §3.1.1.2 (blocklist, SHALL); OWASP ASVS 5.0 V6.2.4.
 * - `personalInfo`: the password contains one of the user's own words of 4+ characters (email
 *   local part and its pieces, email domain name, username, name), l33t spelling undone.
 *   NIST SP 800-63B-4 §3.1.1.2 (context-specific words); OWASP ASVS 5.0 V6.2.11.
 * - `strength`: zxcvbn-ts's score (0–4, from its guess estimate) is below the configured minimum;
 *   the user's words are passed to it, so "Ana.Silva1985!" scores as the guessable thing it is.
 *
 * All three are deferred (see {@link PolicyRule.deferred}) and their data is loaded on first use,
 * so the cold start does not pay for it and a password that fails a cheap rule never does.
 */

/** Personal words shorter than this are too ambiguous to refuse on ("ana" is in "banana"). */
const MIN_PERSONAL_WORD = 4;
/** Words shorter than this are not worth giving zxcvbn as user inputs. */
const MIN_USER_INPUT = 3;
/** The longest run of digits/symbols treated as decoration around a common password. */
const MAX_DECORATION = 6;
/**
 * How many l33t readings zxcvbn tries per password (its default, 100, costs 30–60 ms a check and
 * ~0.5 s for a crafted 128-character "4@1!3$0…"; 3 keeps a check at a few ms and the worst case
 * near 20 ms). The blocklist undoes l33t spelling itself, so little protection is lost.
 */
const L33T_MAX_SUBSTITUTIONS = 3;
// Stryker disable next-line StringLiteral: "!" also unshifts to "1", which reads as "i": the blocklist candidates hold that spelling either way
const LEET_TO_I: Record<string, string> = { '4': 'a', '@': 'a', '8': 'b', '3': 'e', '1': 'i', '!': 'i', '|': 'l', '0': 'o', '5': 's', $: 's', '7': 't', '+': 't' };
/** "1" is as often an "l" as an "i" ("l1nk3d1n", "1ove"), so both spellings are tried. */
const LEET_TO_L: Record<string, string> = { ...LEET_TO_I, '1': 'l' };
/** US-layout shifted digits back to digits: a keyboard walk typed with Shift held half-way. */
const UNSHIFT: Record<string, string> = { '!': '1', '@': '2', '#': '3', $: '4', '%': '5', '^': '6', '&': '7', '*': '8', '(': '9', ')': '0' };

const mapChars = (s: string, table: Record<string, string>): string => [...s].map((c) => table[c] ?? c).join('');

const DECORATION = new RegExp(`^[^\\p{L}]{1,${MAX_DECORATION}}(?=\\p{L})|(?<=\\p{L})[^\\p{L}]{1,${MAX_DECORATION}}$`, 'gu');

/** Lower case in the NFKC form, so full-width or ligature letters compare as their plain forms. */
const fold = (s: string): string => s.normalize('NFKC').toLowerCase();

/** The spellings of a password that the blocklist is checked against. */
export const blocklistCandidates = (password: string): Set<string> => {
  const lower = fold(password);
  const candidates = new Set<string>();
  for (const base of [lower, mapChars(lower, UNSHIFT)]) {
    const core = base.replace(DECORATION, '');
    for (const form of [base, core]) {
      candidates.add(form);
      candidates.add(mapChars(form, LEET_TO_I));
      candidates.add(mapChars(form, LEET_TO_L));
    }
  }
  return candidates;
};

/**
 * The user's own words, lower-cased: each attribute whole, an email's local part and domain name,
 * and their pieces split at punctuation and letter/digit boundaries ("ana.silva85@example.com"
 * gives "ana.silva85", "ana", "silva", "85", "anasilva85", "example.com", "example"…).
 */
export const personalWords = (attributes: readonly string[]): string[] => {
  const words = new Set<string>();
  for (const attribute of attributes) {
    const value = fold(attribute).trim();
    words.add(value);
    const at = value.lastIndexOf('@');
    let segments = [value];
    if (at > 0) {
      const [local, domain] = [value.slice(0, at), value.slice(at + 1)];
      words.add(local).add(domain);
      // The domain's names but not its TLD: "example" of "example.com", not "com".
      segments = [local, ...domain.split('.').slice(0, -1)];
    }
    for (const segment of segments) {
      // Empty pieces (between two separators) fall to the length filter at the end.
      const pieces = segment.split(/[^\p{L}\p{N}]|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u);
      for (const piece of pieces) words.add(piece);
      words.add(pieces.join(''));
    }
  }
  return [...words].filter((w) => codePointLength(w) >= MIN_USER_INPUT);
};

/** zxcvbn-ts's estimate for a password, given the user's own words as extra dictionary entries. */
export interface StrengthEstimator {
  estimate: (password: string, userAttributes: readonly string[]) => { score: number; guessesLog10: number };
  /**
   * Whether zxcvbn could match one of the user's words anywhere in the password: a superset of what
   * its dictionary, l33t and reversed matchers find (each letter of a word as itself or any of its
   * l33t spellings, in the lower-cased password or its reverse). When this is false, the user's
   * words add no match, and zxcvbn's estimate with them is exactly its estimate without them.
   */
  userWordsMayMatch: (password: string, words: readonly string[]) => boolean;
}

/** Whether `text` holds, from `at`, one spelling of each letter in turn (letter `k` onwards). */
const readsAt = (text: string, at: number, spellings: readonly (readonly string[])[], k: number): boolean =>
  // Stryker disable next-line ArrayDeclaration: a letter always has its spellings (itself at least)
  k === spellings.length || (spellings[k] ?? []).some((spelling) => text.startsWith(spelling, at) && readsAt(text, at + spelling.length, spellings, k + 1));

/** Whether `text` holds, anywhere, one spelling of each letter in turn. */
const readsSomewhere = (text: string, spellings: readonly (readonly string[])[]): boolean => {
  // Stryker disable next-line EqualityOperator: no letter's spelling is empty, so none is read at the very end
  for (let at = 0; at < text.length; at += 1) if (readsAt(text, at, spellings, 0)) return true;
  return false;
};

/** The part of zxcvbn-ts's options this module sets (the ranked lists read at each check) and reads (the l33t table). */
interface ZxcvbnOptions {
  rankedDictionaries: Record<string, Record<string, number>>;
  l33tTable: Record<string, string[]>;
}

/** zxcvbn-ts with the bundled lists, and every spelling its l33t matcher reads as a letter ("4" and "@" for "a", "|_|" for "u"…), by letter. */
interface Matcher {
  factory: ZxcvbnFactory;
  l33tReadings: ReadonlyMap<string, readonly string[]>;
}

/** The bundled lists (password-strength-data.ts): the strength estimate and the blocklist read them. */
const ALL_WORDS: SortedList = { words: WORDS.split('\n'), ranks: RANKS };

/**
 * zxcvbn-ts, given word lists as its `dictionary` option, ranks each list and looks every
 * substring of the password up in each of them (18 here: 4 large ones, 14 short word-sequence
 * lists). Its dictionary match keeps, for a substring, the best rank any list gives it, so one
 * list holding each word at its best rank yields the same estimate; the word-sequence matcher
 * reads only the lists whose names it knows, so their words are also one such list. Both come
 * merged and sorted in the bundled data, for the walk of sorted-walk.ts, in place of the lists
 * zxcvbn-ts would build: its options are not public in its types, so their shape is checked
 * here, and a test compares the estimates with zxcvbn-ts built the ordinary way.
 */
const buildMatcher = (): Matcher => {
  // No translations: only the score is used, never zxcvbn's English feedback.
  const factory = new ZxcvbnFactory({ graphs: JSON.parse(ADJACENCY_GRAPHS_JSON) as OptionsGraph, l33tMaxSubstitutions: L33T_MAX_SUBSTITUTIONS });
  const options = (factory as unknown as { options?: Partial<ZxcvbnOptions> }).options;
  // Stryker disable next-line ConditionalExpression,LogicalOperator,OptionalChaining,StringLiteral,CallExpression: a guard against a zxcvbn-ts release that moves its options
  if (typeof options?.rankedDictionaries !== 'object') throw new Error('zxcvbn-ts options have an unknown shape');
  // The walk reads the lists themselves, not their longest words' lengths (rankedDictionariesMaxWordSize).
  options.rankedDictionaries = { words: rankedDictionary(ALL_WORDS), [SEQUENCE_LIST_NAME]: rankedDictionary({ words: SEQUENCE_WORDS.split('\n'), ranks: SEQUENCE_RANKS }) };
  useSortedWalk(factory);
  return { factory, l33tReadings: new Map(Object.entries((options as ZxcvbnOptions).l33tTable)) };
};

/**
 * The estimator, which builds the zxcvbn matcher from the bundled word lists on first use and
 * keeps it: a password that fails a cheap rule never pays for it, and later checks reuse it.
 */
export const createStrengthEstimator = (): StrengthEstimator => {
  let matcher: Matcher | undefined;
  const load = (): Matcher => (matcher ??= buildMatcher());
  return {
    estimate: (password, userAttributes) => {
      const { score, guessesLog10 } = load().factory.check(password, personalWords(userAttributes));
      return { score, guessesLog10 };
    },
    userWordsMayMatch: (password, words) => {
      const lower = password.toLowerCase();
      const reversed = [...lower].reverse().join('');
      const table = load().l33tReadings;
      return words.some((word) => {
        // Stryker disable next-line ArrayDeclaration: an extra alternative only widens a check that may say yes too often, costing a second estimate, never a verdict
        const spellings = [...word.toLowerCase()].map((c) => [c, ...(table.get(c) ?? [])]);
        return readsSomewhere(lower, spellings) || readsSomewhere(reversed, spellings);
      });
    },
  };
};

/**
 * The strength rule in two steps. The estimate without the user's words runs first (while the
 * user loads): more dictionary words can only lower a score, so a password that fails without
 * them fails with them. A password that passes is estimated again with the user's words only when
 * one of them could match; otherwise the first estimate is the answer.
 */
const prepareStrength = (estimator: StrengthEstimator, minStrength: number) => (password: string) => {
  const alone = estimator.estimate(password, []).score;
  return (context: PolicyContext): boolean => {
    if (alone < minStrength) return false;
    const words = personalWords(context.userAttributes);
    return !estimator.userWordsMayMatch(password, words) || estimator.estimate(password, context.userAttributes).score >= minStrength;
  };
};

/** Whether a word is on the blocklist: in the bundled list, with its flag set. */
const isBlocklisted = (word: string): boolean => {
  const index = indexOfWord(ALL_WORDS.words, word);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: BLOCKLISTED[-1] is undefined, and the list's first word ("'all") is not on the blocklist
  return index >= 0 && BLOCKLISTED[index] === '1';
};

const isCommonPassword = (password: string): boolean => [...blocklistCandidates(password)].some(isBlocklisted);

const containsPersonalWord = (password: string, { userAttributes }: PolicyContext): boolean => {
  const words = personalWords(userAttributes).filter((w) => codePointLength(w) >= MIN_PERSONAL_WORD);
  // Stryker disable next-line ConditionalExpression: a shortcut; no word is found in no spelling either
  if (words.length === 0) return false;
  const lower = fold(password);
  const spellings = [lower, mapChars(lower, LEET_TO_I), mapChars(lower, LEET_TO_L)];
  return words.some((word) => spellings.some((s) => s.includes(word)));
};

/** The guessability rules' setting (PASSWORD_MIN_STRENGTH). */
export interface GuessabilityConfig {
  /** Minimum zxcvbn score, 0–4; 0 leaves the score out but keeps the blocklist and personal words. */
  minStrength: number;
}

/** The guessability rules for a configuration; `minStrength` 0 leaves out the zxcvbn score. */
export const guessabilityRules = ({ minStrength }: GuessabilityConfig, estimator: StrengthEstimator = createStrengthEstimator()): PolicyRule[] => [
  { id: 'commonPassword', deferred: true, test: (pw) => !isCommonPassword(pw) },
  { id: 'personalInfo', deferred: true, personal: true, test: (pw, context) => !containsPersonalWord(pw, context) },
  ...(minStrength > 0
    ? [{
      id: 'strength',
      deferred: true,
      // Stryker disable next-line BooleanLiteral: the rule has `prepare`, which startPolicyCheck takes before it looks at `personal`
      personal: true,
      test: (pw: string, context: PolicyContext) => estimator.estimate(pw, context.userAttributes).score >= minStrength,
      prepare: prepareStrength(estimator, minStrength),
    }]
    : []),
];
