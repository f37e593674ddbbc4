import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

/**
 * zxcvbn-ts's dictionary matcher looks every substring of the password up in every ranked list
 * (about 200 lookups for 20 characters, and again for the reversed password and each l33t reading:
 * some 2 000 a check). This walk gives the same matches in the same order from the lists sorted:
 * from each start it narrows, character by character, the range of words that begin with what it
 * has read, and stops once no word does, which for most text is after two or three characters.
 *
 * It replaces the matcher's `match` for the factories passed to {@link useSortedWalk} only (other
 * zxcvbn-ts factories in the process keep the stock one), which must have Levenshtein matching
 * off, as the strength rule's has. zxcvbn-ts does not export the matcher, so its shape is checked
 * here, and a test compares the estimates with zxcvbn-ts built the ordinary way.
 */

/**
 * A ranked list sorted by UTF-16 code units (`Array.prototype.sort`'s order), with each word's rank;
 * a word at rank 0 is in the list for another reader (the blocklist) and is no match.
 */
export interface SortedList {
  words: readonly string[];
  ranks: readonly number[];
}

/** What the matcher's `match` reads of itself and its arguments. */
interface DictionaryMatcher {
  options: object;
  getRangedDictionaries: (userInputsOptions: unknown) => { rankedDictionaries: Record<string, Record<string, number>> };
}
interface MatchOptions {
  password: string;
  userInputsOptions?: unknown;
}
type Match = (this: DictionaryMatcher, options: MatchOptions) => unknown[];

const sortedLists = new WeakMap<object, SortedList>();
const walkedOptions = new WeakSet<object>();
const walkingClasses = new WeakSet<object>();

// Stryker disable next-line ConditionalExpression,EqualityOperator,UnaryOperator: both sides of the ternary (and +1 for -1) order a shorter word before its extensions, whose code units are all above 1
const codeAt = (word: string, depth: number): number => (word.length > depth ? word.charCodeAt(depth) : -1);

/** The first index in [lo, hi) whose word has a code unit at `depth` of at least `code` (a word ending before `depth` counts as -1). */
const lowerBound = (words: readonly string[], lo: number, hi: number, depth: number, code: number): number => {
  let low = lo;
  let high = hi;
  while (low < high) {
    const mid = (low + high) >>> 1;
    // Stryker disable next-line StringLiteral: mid is inside the range
    if (codeAt(words[mid] ?? '', depth) < code) low = mid + 1;
    else high = mid;
  }
  return low;
};

/** The index of `word` in `words` (sorted), or -1. */
export const indexOfWord = (words: readonly string[], word: string): number => {
  let low = 0;
  let high = words.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    // Stryker disable next-line StringLiteral: mid is inside the list
    if ((words[mid] ?? '') < word) low = mid + 1;
    else high = mid;
  }
  return words[low] === word ? low : -1;
};

/** A sorted list as zxcvbn-ts's options hold a ranked list: an object standing for it (the walk reads the list itself). */
export const rankedDictionary = (list: SortedList): Record<string, number> => {
  const dictionary = {};
  sortedLists.set(dictionary, list);
  return dictionary;
};

/** A ranked list zxcvbn-ts built (the user's words), sorted on first use. */
const sortedList = (ranked: Record<string, number>): SortedList => {
  let list = sortedLists.get(ranked);
  if (list === undefined) {
    const words = Object.keys(ranked).sort();
    list = { words, ranks: words.map((word) => ranked[word] ?? 0) };
    // Stryker disable next-line CallExpression: the cache of one check's user words; sorting them again gives the same list
    sortedLists.set(ranked, list);
  }
  return list;
};

/** The dictionary matches of `password`, as zxcvbn-ts's matcher gives them (without Levenshtein matching). */
function sortedWalk(this: DictionaryMatcher, { password, userInputsOptions }: MatchOptions): unknown[] {
  const matches: unknown[] = [];
  const lower = password.toLowerCase();
  const { rankedDictionaries } = this.getRangedDictionaries(userInputsOptions);
  const names = Object.keys(rankedDictionaries);
  const lists = names.map((name) => sortedList(rankedDictionaries[name] ?? {}));
  // Stryker disable next-line EqualityOperator: a start past the end reads nothing
  for (let i = 0; i < password.length; i += 1) {
    // The range of each list's words that begin with lower[i..j], narrowed as j grows.
    // Stryker disable next-line ArrowFunction: a missing start is read as 0
    const from = lists.map(() => 0);
    const to = lists.map(({ words }) => words.length);
    // Once no word of any list begins with lower[i..j], none begins with a longer substring either.
    // Stryker disable next-line BooleanLiteral,ConditionalExpression,LogicalOperator,EqualityOperator: a shortcut; a walk that goes on (or past the end, where no code unit narrows to anything) finds no more words
    for (let j = i, open = true; open && j < password.length; j += 1) {
      // Stryker disable next-line BooleanLiteral: a shortcut; a walk that goes on finds no more words
      open = false;
      const depth = j - i;
      const code = lower.charCodeAt(j);
      for (let d = 0; d < lists.length; d += 1) {
        const { words, ranks } = lists[d] as SortedList;
        const start = lowerBound(words, from[d] ?? 0, to[d] ?? 0, depth, code);
        const end = lowerBound(words, start, to[d] ?? 0, depth, code + 1);
        from[d] = start;
        to[d] = end;
        // Stryker disable next-line ConditionalExpression: a shortcut; an empty range holds no word to match
        if (start === end) continue;
        open = true;
        const rank = ranks[start] ?? 0;
        // Stryker disable next-line OptionalChaining: a non-empty range has a word at its start
        if (words[start]?.length === depth + 1 && rank > 0) {
          matches.push({ pattern: 'dictionary', i, j, token: password.slice(i, j + 1), matchedWord: words[start], rank, dictionaryName: names[d], reversed: false, l33t: false });
        }
      }
    }
  }
  return matches;
}

/**
 * Makes `factory`'s dictionary matching (plain, reversed, l33t and in word sequences) walk sorted
 * lists: those its options hold as {@link rankedDictionary}, and the user's words.
 */
export const useSortedWalk = (factory: ZxcvbnFactory): void => {
  // Stryker disable next-line OptionalChaining: a guard against a zxcvbn-ts release that moves its matcher
  const matchers = (factory as unknown as { matching?: { matchers?: Record<string, object> } }).matching?.matchers;
  const Dictionary = matchers?.dictionary?.constructor as { prototype: { match: Match } } | undefined;
  // Stryker disable next-line OptionalChaining: a guard against a zxcvbn-ts release that moves its matcher
  const L33t = matchers?.dictionaryL33t?.constructor;
  // Stryker disable next-line ConditionalExpression,LogicalOperator,OptionalChaining,StringLiteral,CallExpression: a guard against a zxcvbn-ts release that moves its matcher
  if (typeof Dictionary?.prototype.match !== 'function' || L33t === undefined || Object.getPrototypeOf(L33t) !== Dictionary) throw new Error('zxcvbn-ts dictionary matcher has an unknown shape');
  const options = (factory as unknown as { options: { useLevenshteinDistance?: boolean } }).options;
  // Levenshtein matching compares the whole password with every word of a list: the walk does not.
  if (options.useLevenshteinDistance === true) throw new Error('the sorted walk does not do Levenshtein matching');
  // Stryker disable next-line ConditionalExpression,BlockStatement: wrapping the matcher once more gives the same answers
  if (!walkingClasses.has(Dictionary)) {
    // Stryker disable next-line CallExpression: wrapping the matcher once more gives the same answers
    walkingClasses.add(Dictionary);
    const stock = Dictionary.prototype.match;
    Dictionary.prototype.match = function match(this: DictionaryMatcher, matchOptions: MatchOptions) {
      return walkedOptions.has(this.options) ? sortedWalk.call(this, matchOptions) : stock.call(this, matchOptions);
    };
  }
  walkedOptions.add(options);
};
