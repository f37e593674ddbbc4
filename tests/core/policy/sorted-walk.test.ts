import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { describe, expect, it } from 'vitest';
import { indexOfWord, rankedDictionary, useSortedWalk } from '../../../lib/core/policy/sorted-walk.js';

/** zxcvbn-ts's options, as the strength rule sets them (not public in its types). */
const optionsOf = (factory: ZxcvbnFactory) => (factory as unknown as { options: { rankedDictionaries: Record<string, Record<string, number>> } }).options;

/** A factory that walks `words` (sorted) at `ranks`, and the stock one given the same ranked list. */
const pair = (ranked: readonly string[], extra: readonly string[] = []) => {
  const stock = new ZxcvbnFactory({ dictionary: { words: [...ranked] } });
  const walking = new ZxcvbnFactory();
  const words = [...ranked, ...extra].sort();
  optionsOf(walking).rankedDictionaries = { words: rankedDictionary({ words, ranks: words.map((word) => ranked.indexOf(word) + 1) }) };
  useSortedWalk(walking);
  return { stock, walking };
};

describe('the sorted walk', () => {
  it('finds a word by binary search, and says -1 for one that is not there', () => {
    const words = ['ab', 'abc', 'b', 'bb'];

    expect(words.map((word) => indexOfWord(words, word))).toEqual([0, 1, 2, 3]);
    expect(['a', 'abb', 'ba', 'c', ''].map((word) => indexOfWord(words, word))).toEqual([-1, -1, -1, -1, -1]);
  });

  it('gives the stock matcher\'s estimates: words that begin other words, words inside words, reversed and l33t spellings', () => {
    // Arrange: "pass" begins "password" and "passwords"; "word" and "sword" end them
    const { stock, walking } = pair(['password', 'pass', 'word', 'passwords', 'sword', 'dragon', 'a']);
    const passwords = ['password', 'passwordsword', 'xpassx', 'drowssap', 'p4ssw0rd', 'PaSsWoRdS', 'nogard', 'Dragon!pass', 'zzz', 'a', 'aaaa', 'Xk9#qTr2!mLp'];

    // Act / Assert
    for (const password of passwords) {
      const [ours, theirs] = [walking.check(password), stock.check(password)];
      expect({ password, score: ours.score, guessesLog10: ours.guessesLog10 }).toEqual({ password, score: theirs.score, guessesLog10: theirs.guessesLog10 });
    }
  });

  it('matches no word at rank 0 (a blocklist entry the estimate is not given), though it walks past it', () => {
    // Arrange: "dragonfly" is in the walked list at rank 0 only
    const { stock, walking } = pair(['dragon'], ['dragonfly']);

    // Act / Assert: the same as a stock matcher that never had it
    expect(walking.check('dragonfly').guessesLog10).toBe(stock.check('dragonfly').guessesLog10);
    expect(walking.check('dragonfly').guessesLog10).toBeGreaterThan(walking.check('dragon').guessesLog10);
  });

  it('refuses a factory with Levenshtein matching on, which compares whole lists', () => {
    expect(() => useSortedWalk(new ZxcvbnFactory({ useLevenshteinDistance: true }))).toThrow(/Levenshtein/);
  });
});
