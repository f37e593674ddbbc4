import { describe, expect, it } from 'vitest';
import { createStrengthEstimator } from '../../../lib/core/policy/password-strength.js';

/**
 * The cheap pre-check that decides whether the strength estimate must run again with the user's own
 * words: it may say yes too often (a second estimate), never no when zxcvbn could match a word.
 */
describe('userWordsMayMatch', () => {
  const mayMatch = createStrengthEstimator().userWordsMayMatch;

  it.each([
    ['the word itself, in any case', 'xxAnaSilvaxx', ['anasilva']],
    ['the word reversed', 'avlisana-2026', ['anasilva']],
    ['the word in l33t spelling', '4n4$1lv4!', ['anasilva']],
    ['one of several words', 'Summer-Ana-2026', ['silva', 'ana']],
    ['a word holding regular-expression characters, as written', 'my-a.c+d-pass', ['a.c+d']],
  ])('says yes for %s', (_case, password, words) => {
    expect(mayMatch(password, words)).toBe(true);
  });

  it.each([
    ['no word of the user', 'Correct-Horse-Battery', ['anasilva']],
    ['no words at all', 'anasilva', []],
    ['characters a word\'s regular-expression characters would have stood for', 'my-abcdd-pass', ['a.c+d']],
  ])('says no for %s', (_case, password, words) => {
    expect(mayMatch(password, words)).toBe(false);
  });
});
