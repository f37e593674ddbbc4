import { ZxcvbnFactory, type OptionsGraph } from '@zxcvbn-ts/core';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config/load.js';
import { ConfigError } from '../../../lib/core/settings.js';
import { DEV_JWT_SECRET } from '../../../lib/config/variables.js';
import { buildPolicy, failedRules } from '../../../lib/core/policy/password-policy.js';
import { blocklistCandidates, createStrengthEstimator, guessabilityRules, personalWords, type StrengthEstimator } from '../../../lib/core/policy/password-strength.js';
import { ADJACENCY_GRAPHS_JSON } from '../../../lib/core/policy/password-strength-data.js';
import { keptLists, ZXCVBN_PASSWORDS } from '../../../scripts/data/build-password-data.js';

const { estimate: estimateGuessability } = createStrengthEstimator();

const env = (overrides: Record<string, string> = {}): NodeJS.ProcessEnv => ({ USERS_TABLE: 'users', JWT_SECRET: DEV_JWT_SECRET, ...overrides });
const policyFor = (overrides: Record<string, string> = {}) => buildPolicy(loadConfig(env(overrides)).policy);
const defaults = policyFor();
const nobody = { userAttributes: [] };
/** A user whose attributes are the store's email, username, name and displayName. */
const ana = { userAttributes: ['ana.silva@example.com', 'asilva85', 'Ana Silva', 'Ana'] };

describe('guessability with the default profile', () => {
  // Every one of these passes the composition rules (8+, lower, upper, digit, symbol, 5 distinct).
  it.each([
    // Leaked passwords in l33t spelling, decorated with digits and a symbol.
    ['P@ssw0rd123!', ['commonPassword', 'strength']], // "password" with @→a, 0→o and "123!" appended
    ['Passw0rd!', ['commonPassword', 'strength']], // the 2nd most common password, 0→o
    ['Pa$$w0rd2024', ['commonPassword', 'strength']], // $→s, 0→o, a year appended
    ['Tru5tno1!', ['commonPassword', 'strength']], // "trustno1" with 5→s
    // Common words capitalised with digits and a symbol appended.
    ['Summer2024!', ['commonPassword', 'strength']], // a season and a year
    ['Football1!', ['commonPassword', 'strength']], // rank 14 of the leaked list
    ['Sunshine1!', ['commonPassword', 'strength']],
    ['Iloveyou2!', ['commonPassword', 'strength']],
    ['Welcome123!', ['commonPassword', 'strength']],
    ['Mountain2024!', ['commonPassword']], // zxcvbn scores it 3, but "mountain" is a leaked password
    // Keyboard walks.
    ['Qwerty123!', ['commonPassword', 'strength']], // the top row, then digits
    ['1qaz@WSX3edc', ['commonPassword']], // columns with Shift held on the second: "1qaz2wsx3edc" leaked
    ['Zaq12wsx!', ['commonPassword', 'strength']], // the same columns the other way
    ['Asdfghjkl1!', ['commonPassword', 'strength']], // the home row
    ['Q1w2e3r4t5!', ['strength']], // two interleaved rows, a pattern zxcvbn sees
    ['Abc12345!', ['strength']], // alphabetic then numeric sequences
  ])('refuses %j with %j', (password, rules) => {
    // Act
    const failed = failedRules(defaults, password, nobody);

    // Assert
    expect(failed).toEqual(rules);
  });

  it.each([
    ['NewSecureP@ssw0rd!'], // the contract's example new password: zxcvbn score 4
    ['k7#Vq2!xLp9$'], // random, 12 characters
    ['gR8&uM2!zQ'], // random, 10 characters: score 3 exactly
    ['b7V!q9Zr#2wE'],
    ['Tr0ub4dor&3'], // the xkcd example: weak in theory, but no dictionary here knows "troubador"
    ['Blue-Cactus-Ladder-42'], // a passphrase
    ['T0mat0-Sp1der-Ink!'], // l33t words, but three of them with separators
    ['Zebra crossing at 7:45 pm'], // a sentence with spaces and a symbol
    ['Love-7302-9918-4471'], // a common word with 12 digits is not a decorated common password
  ])('accepts %j', (password) => {
    // Act
    const failed = failedRules(defaults, password, ana);

    // Assert
    expect(failed).toEqual([]);
  });

  it('scores the contract example "NewSecureP@ssw0rd!" above the default minimum of 3', () => {
    // Act
    const { score, guessesLog10 } = estimateGuessability('NewSecureP@ssw0rd!', ana.userAttributes);

    // Assert
    expect(score).toBe(4);
    expect(guessesLog10).toBeGreaterThan(10);
  });

  it('does not run the guessability rules when a composition rule already failed', () => {
    // Act: "password" is the 2nd most common password, yet only the composition rules are reported
    const failed = failedRules(defaults, 'password', nobody);

    // Assert
    expect(failed).toEqual(['upper', 'digit', 'symbol']);
  });

  it('refuses a password only for the score when PASSWORD_MIN_STRENGTH is 4, and never for it at 0', () => {
    // Arrange: "gR8&uM2!zQ" scores exactly 3
    const strict = policyFor({ PASSWORD_MIN_STRENGTH: '4' });
    const off = policyFor({ PASSWORD_MIN_STRENGTH: '0' });

    // Act / Assert
    expect(failedRules(strict, 'gR8&uM2!zQ', nobody)).toEqual(['strength']);
    expect(off.map((rule) => rule.id)).not.toContain('strength');
    expect(failedRules(off, 'Abc12345!', nobody)).toEqual([]);
    // The blocklist stays on without the score.
    expect(failedRules(off, 'Football1!', nobody)).toEqual(['commonPassword']);
  });
});

describe('personal information', () => {
  it.each([
    ['Ana.Silva1985!', ['personalInfo', 'strength']], // the email's local part with a year
    ['Silva2024!', ['personalInfo', 'strength']], // the last name from the email
    ['S1lva-Rocks-99', ['personalInfo']], // the last name in l33t spelling
    ['Asilva85!xyz', ['personalInfo', 'strength']], // the username
    ['Example2024!', ['personalInfo', 'strength']], // the email's domain name
  ])('refuses %j for ana.silva@example.com with %j', (password, rules) => {
    // Act
    const failed = failedRules(defaults, password, ana);

    // Assert
    expect(failed).toEqual(rules);
  });

  it('accepts the same password for a user it says nothing about', () => {
    // Act / Assert
    expect(failedRules(defaults, 'S1lva-Rocks-99', nobody)).toEqual([]);
  });

  it('scores a password built on the user’s name lower than the same password for a stranger', () => {
    // Act
    const forAna = estimateGuessability('Ana.Silva1985!', ana.userAttributes).guessesLog10;
    const forStranger = estimateGuessability('Ana.Silva1985!', []).guessesLog10;

    // Assert
    expect(forAna).toBeLessThan(forStranger);
  });

  it('does not refuse a 3-letter personal word inside another word ("ana" in "Banana")', () => {
    // Act
    const failed = failedRules(defaults, 'Banana-Kettle-Orbit-7', { userAttributes: ['ana@example.org'] });

    // Assert
    expect(failed).toEqual([]);
  });

  it('splits emails, usernames and names into the words a user builds passwords from', () => {
    // Act
    const words = personalWords(['Ana.Silva85@Mail.Example.co.uk', 'Ana Silva']);

    // Assert
    expect(words).toEqual(expect.arrayContaining(['ana.silva85@mail.example.co.uk', 'ana.silva85', 'ana', 'silva', 'anasilva85', 'mail', 'example', 'ana silva']));
    expect(words).not.toContain('85'); // too short to be a useful dictionary word
    expect(personalWords(['ana@example.com'])).not.toContain('com'); // a TLD says nothing about the user
  });
});

describe('blocklist spellings', () => {
  it('undoes case, l33t spelling, shifted digits and short decorations', () => {
    // Act / Assert
    expect(blocklistCandidates('P@ssw0rd123!')).toContain('password');
    expect(blocklistCandidates('1qaz@WSX3edc')).toContain('1qaz2wsx3edc');
    expect(blocklistCandidates('L1nk3d1n')).toContain('linkedin');
    expect(blocklistCandidates('P1ayb0y')).toContain('playboy'); // "1" read as "l" 
    expect(blocklistCandidates('!!Summer2024!')).toContain('summer');
  });

  it('does not match a password with a newline against two adjacent entries ("123456", "password")', () => {
    // Arrange: only the blocklist, no composition rules and no score
    const blocklistOnly = policyFor({ PASSWORD_PROFILE: 'nist', PASSWORD_MIN_STRENGTH: '0', PASSWORD_MIN_LENGTH: '8' });

    // Act / Assert
    expect(failedRules(blocklistOnly, '123456\npassword', nobody)).toEqual([]);
    expect(failedRules(blocklistOnly, 'password123!', nobody)).toEqual(['commonPassword']);
  });

  it('strips at most 6 digits or symbols from an end', () => {
    // Act / Assert: 7 trailing characters are not a decoration, 6 are
    expect(blocklistCandidates('Monkey847261!')).not.toContain('monkey');
    expect(blocklistCandidates('Monkey84726!')).toContain('monkey');
  });
});

describe('PASSWORD_PROFILE', () => {
  it('defaults to Cognito-style composition with guessability: 8 characters, four classes, 5 distinct, score 3', () => {
    // Act
    const { policy } = loadConfig(env());

    // Assert
    expect(policy).toEqual({ minLength: 8, requiredClasses: ['lower', 'upper', 'digit', 'symbol'], minUniqueChars: 5, guessability: { minStrength: 3 } });
  });

  it('nist: no composition rules, 15 characters (8 with a second factor), blocklist and score 3', () => {
    // Act
    const { policy } = loadConfig(env({ PASSWORD_PROFILE: 'nist' }));

    // Assert
    expect(policy).toEqual({ minLength: 15, minLengthWithMfa: 8, requiredClasses: [], minUniqueChars: 1, guessability: { minStrength: 3 } });
  });

  it('nist accepts a long lower-case passphrase that the default profile refuses for composition', () => {
    // Arrange
    const nist = policyFor({ PASSWORD_PROFILE: 'nist' });
    const passphrase = 'orbit kettle harbour violin';

    // Act / Assert
    expect(failedRules(nist, passphrase, nobody)).toEqual([]);
    expect(failedRules(defaults, passphrase, nobody)).toEqual(['upper', 'digit', 'symbol']);
  });

  it('nist still refuses leaked and personal passwords, and anything under 15 characters', () => {
    // Arrange
    const nist = policyFor({ PASSWORD_PROFILE: 'nist' });

    // Act / Assert
    expect(failedRules(nist, 'qwertyuiop12345', nobody)).toEqual(['commonPassword', 'strength']); // a keyboard row + 5 digits
    expect(failedRules(nist, 'anasilva-anasilva', ana)).toEqual(['personalInfo']); // zxcvbn alone would let it through
    expect(failedRules(nist, 'k7#Vq2!xLp9$', nobody)).toEqual(['minLength']);
    expect(failedRules(nist, 'NewSecureP@ssw0rd!', ana)).toEqual([]);
  });

  it('nist with PASSWORD_MIN_LENGTH=8 (for passwords used only with MFA) accepts 8 characters', () => {
    // Act
    const { policy } = loadConfig(env({ PASSWORD_PROFILE: 'nist', PASSWORD_MIN_LENGTH: '8' }));

    // Assert
    expect(policy.minLength).toBe(8);
  });
});

describe('password strength configuration errors', () => {
  /** Runs loadConfig and returns the ConfigError message (fails the test if it does not throw one). */
  const configError = (overrides: Record<string, string>): string => {
    try {
      loadConfig(env(overrides));
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).message;
    }
    throw new Error('expected loadConfig to throw a ConfigError');
  };

  it.each(['5', '-1', '3.5', 'high', '10'])('refuses PASSWORD_MIN_STRENGTH=%j', (value) => {
    // Act / Assert
    expect(configError({ PASSWORD_MIN_STRENGTH: value })).toMatch(/^PASSWORD_MIN_STRENGTH must be a whole number from 0 to 4/);
  });

  it.each(['NIST', 'cognito', 'owasp'])('refuses PASSWORD_PROFILE=%j', (value) => {
    // Act / Assert
    expect(configError({ PASSWORD_PROFILE: value })).toBe(`PASSWORD_PROFILE must be one of default, nist (got "${value}")`);
  });

  it('refuses composition rules with the nist profile', () => {
    // Act / Assert
    expect(configError({ PASSWORD_PROFILE: 'nist', PASSWORD_REQUIRED_CLASSES: 'upper,digit' })).toMatch(/^PASSWORD_REQUIRED_CLASSES must be unset or "none" with PASSWORD_PROFILE=nist/);
  });

  it('accepts PASSWORD_REQUIRED_CLASSES=none with the nist profile and an empty PASSWORD_PROFILE as the default', () => {
    // Act / Assert
    expect(loadConfig(env({ PASSWORD_PROFILE: 'nist', PASSWORD_REQUIRED_CLASSES: 'none' })).policy.requiredClasses).toEqual([]);
    expect(loadConfig(env({ PASSWORD_PROFILE: ' ' })).policy.minLength).toBe(8);
  });
});

describe('the spellings and words the rules compare', () => {
  it.each([
    ['4', 'a'], ['@', 'a'], ['8', 'b'], ['3', 'e'], ['1', 'i'], ['!', 'i'], ['|', 'l'], ['0', 'o'], ['5', 's'], ['$', 's'], ['7', 't'], ['+', 't'],
  ])('reads l33t %s inside a word as %s', (leet, letter) => {
    // Act / Assert
    expect(blocklistCandidates(`ab${leet}cd`)).toContain(`ab${letter}cd`);
  });

  it.each([
    ['!', '1'], ['@', '2'], ['#', '3'], ['$', '4'], ['%', '5'], ['^', '6'], ['&', '7'], ['*', '8'], ['(', '9'], [')', '0'],
  ])('reads shifted %s inside a word as the digit %s', (shifted, digit) => {
    // Act / Assert
    expect(blocklistCandidates(`ab${shifted}cd`)).toContain(`ab${digit}cd`);
  });

  it.each([
    [' Ana.Silva@Example.com ', ['ana.silva@example.com', 'ana.silva', 'example.com', 'ana', 'silva', 'anasilva', 'example']],
    ['asilva85', ['asilva85', 'asilva']],
    ['silva85', ['silva85', 'silva']],
    ['85silva', ['85silva', 'silva']],
    ['ana..silva-85', ['ana..silva-85', 'ana', 'silva', 'anasilva85']],
    ['@example.com', ['@example.com', 'example', 'com', 'examplecom']], // no local part: not read as an email
  ])('takes exactly these words from %j', (attribute, words) => {
    // Act / Assert
    expect(personalWords([attribute])).toEqual(words);
  });

  it('refuses a personal word of exactly 4 characters', () => {
    // Act
    const failed = failedRules(defaults, 'Zebra-Kiwi-Orbit-77', { userAttributes: ['kiwi@example.org'] });

    // Assert
    expect(failed).toContain('personalInfo');
  });

  it('gives zxcvbn only the top 5 000 leaked passwords: rank 9 049 ("bagpuss") is estimated by brute force', () => {
    // Act
    const { guessesLog10 } = estimateGuessability('bagpuss', []);

    // Assert: as a dictionary word it would be about 9 049 guesses (log10 ≈ 3.96)
    expect(guessesLog10).toBeGreaterThan(6);
  });

  it('refuses every entry of the 10 000-entry blocklist, past the top 5 000 zxcvbn gets too: "Bagpuss1!" (rank 9 049)', () => {
    // Act / Assert
    expect(failedRules(defaults, 'Bagpuss1!', nobody)).toContain('commonPassword');
    expect(failedRules(defaults, 'Bagpussy1!', nobody)).not.toContain('commonPassword');
  });

  it('estimates without the user\'s words first, and with them only when one may match', () => {
    // Arrange: an estimator that records the words it is given
    const given: (readonly string[])[] = [];
    const estimator: StrengthEstimator = {
      estimate: (_password, words) => {
        given.push(words);
        return { score: 4, guessesLog10: 12 };
      },
      userWordsMayMatch: () => true,
    };

    // Act
    const failed = failedRules(guessabilityRules({ minStrength: 3 }, estimator), 'Kettle-Orbit-Violin-7', ana);

    // Assert
    expect(failed).toEqual([]);
    expect(given).toEqual([[], ana.userAttributes]);
  });

  it('runs the strength estimate and the bundled breach list only for a password that passes the cheap rules', () => {
    // Arrange: "password" fails the length, the blocklist, the score and the breach list
    const policy = buildPolicy({ minLength: 20, requiredClasses: [], minUniqueChars: 1, guessability: { minStrength: 3 } });

    // Act / Assert
    expect(failedRules(policy, 'password', nobody)).toEqual(['minLength']);
  });
});

describe('the estimator against zxcvbn-ts built the ordinary way', () => {
  /** zxcvbn-ts given the kept lists of the language packages as its `dictionary` option, one ranked list each. */
  const kept = keptLists();
  const reference = (() => {
    const dictionary = { ...kept, 'passwords-common': kept['passwords-common']?.slice(0, ZXCVBN_PASSWORDS) ?? [] };
    return new ZxcvbnFactory({ dictionary, graphs: JSON.parse(ADJACENCY_GRAPHS_JSON) as OptionsGraph, l33tMaxSubstitutions: 3 });
  })();
  const lists = Object.values(kept);
  const leet: Record<string, string> = { a: '@', e: '3', i: '1', o: '0', s: '$', t: '7' };
  // Words from every list (the same word at different ranks in several: "summer", "charlie"), in the
  // spellings zxcvbn scores differently, alone, decorated, and as word sequences.
  const words = lists.flatMap((list) => list.filter((_, index) => index % Math.ceil(list.length / 12) === 0));
  const spellings = (word: string) => [word, word[0]?.toUpperCase() + word.slice(1), [...word].reverse().join(''), [...word].map((c) => leet[c] ?? c).join('')];
  const passwords = [
    ...words.flatMap(spellings),
    ...words.map((word, index) => `${word}${index % 3 === 0 ? '' : '-'}${words[(index * 7) % words.length] ?? ''}${index}!`),
    'summer', 'charlie', 'bluedog', 'RedOrangeYellow', 'one-two-three', 'NorthEastSouth1!', 'Xk9#qTr2!mLp7@wZs4$v', 'NewSecureP@ssw0rd!',
    // Keyboard walks no list holds, l33t spellings of more than 3 letters, word sequences.
    'mju7nhy6bgt5', 'zaq12wsxcde3', '.lo9ki8ju7', 'P@$$w0rd1$4w3$0m3', 'd4t4b4$3!', 'onetwothreefourfivesix',
    'januaryfebruarymarchapril', 'mondaytuesdaywednesday', 'redorangeyellowgreenblue', 'mercuryvenusearthmars',
    // Text that is mostly no word, as a generated password is, with l33t characters among it.
    ...Array.from({ length: 60 }, (_, n) => Array.from({ length: 8 + (n % 17) }, (_, k) => 'abcdeilostuAEIOS0134578@$!|-_'.charAt((n * 31 + k * k * 7 + k) % 29)).join('')),
  ];

  it('reads only the lists\' words, not what a plain object inherits: zxcvbn-ts scores "__proto__constructor" 0, as two words of a nonsense rank', () => {
    // Act
    const stock = reference.check('__proto__constructor', []);
    const ours = estimateGuessability('__proto__constructor', []);

    // Assert: no list holds either "word"; the 20 characters are estimated as such
    expect(stock.score).toBe(0);
    expect(ours.score).toBe(4);
  });

  it.each([[[]], [['ana.silva85@example.com', 'Ana Silva']]])('gives every estimate zxcvbn-ts gives (user words %j)', (attributes: string[]) => {
    // Arrange: an estimator of its own, whose lists and graphs are built in this test
    const { estimate } = createStrengthEstimator();

    // Act
    const differences = passwords.filter((password) => {
      const { score, guessesLog10 } = estimate(password, attributes);
      const expected = reference.check(password, personalWords(attributes));
      return score !== expected.score || guessesLog10 !== expected.guessesLog10;
    });

    // Assert
    expect(passwords.length).toBeGreaterThan(300);
    expect(differences).toEqual([]);
  });
});
