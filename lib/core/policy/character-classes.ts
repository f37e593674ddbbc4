/**
 * The character classes the composition rule can require, and what each one means. Their own
 * module, free of the guessability rules' data, so that the published policy (GET
 * /v1/password-policy) states the same patterns the change is judged by without carrying zxcvbn.
 */
export const CHARACTER_CLASSES = ['lower', 'upper', 'digit', 'symbol'] as const;
export type CharacterClass = (typeof CHARACTER_CLASSES)[number];

/**
 * Each class as the body of a Unicode regular expression (flag `u`): the published policy gives
 * these texts to apps, and the rule compiles the very same ones.
 */
export const CLASS_PATTERN_SOURCES: Readonly<Record<CharacterClass, string>> = {
  lower: '\\p{Ll}',
  upper: '\\p{Lu}',
  digit: '\\p{Nd}',
  // Anything that is not a letter, a digit or whitespace counts as a symbol.
  symbol: '[^\\p{L}\\p{Nd}\\s]',
};

export const CLASS_PATTERNS: Readonly<Record<CharacterClass, RegExp>> = {
  lower: new RegExp(CLASS_PATTERN_SOURCES.lower, 'u'),
  upper: new RegExp(CLASS_PATTERN_SOURCES.upper, 'u'),
  digit: new RegExp(CLASS_PATTERN_SOURCES.digit, 'u'),
  symbol: new RegExp(CLASS_PATTERN_SOURCES.symbol, 'u'),
};
