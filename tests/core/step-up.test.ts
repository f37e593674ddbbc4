import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/core/errors.js';
import { CLOCK_TOLERANCE_SECONDS } from '../../lib/core/ports.js';
import {
  provesSecondFactor,
  stepUpRefusal,
  stepUpVerdict,
  type AuthenticationClaims,
  type StepUpConfig,
} from '../../lib/core/step-up.js';

/** The step-up rule on its own: claims, settings and now in, a verdict out. */
const NOW = new Date('2026-12-01T10:00:00.000Z');
const NOW_SECONDS = NOW.getTime() / 1000;

/** The defaults (lib/config/variables.ts): nothing demanded, amr `mfa` proves the factor. */
const config = (overrides: Partial<StepUpConfig> = {}): StepUpConfig => ({ required: 'never', amrValues: ['mfa'], acrValues: [], maxAuthAgeSeconds: undefined, ...overrides });
const claims = (overrides: Partial<AuthenticationClaims> = {}): AuthenticationClaims => ({ amr: undefined, acr: undefined, authTime: undefined, ...overrides });

describe('provesSecondFactor', () => {
  const settings = config({ amrValues: ['mfa', 'otp'], acrValues: ['urn:example:loa:2', 'aal2'] });

  it.each([
    ['amr holds a configured value', { amr: ['pwd', 'mfa'] }, true],
    ['amr holds another configured value', { amr: ['otp'] }, true],
    ['amr holds only other values', { amr: ['pwd', 'kba'] }, false],
    ['amr is empty', { amr: [] }, false],
    ['amr and acr are absent', {}, false],
    ['acr is a configured value', { acr: 'aal2' }, true],
    ['acr is another configured value', { acr: 'urn:example:loa:2' }, true],
    ['acr is another value', { acr: 'aal1' }, false],
    ['amr values are matched whole, not as substrings', { amr: ['mf', 'mfa2'] }, false],
    ['acr is matched whole, not as a substring', { acr: 'aal' }, false],
    ['acr is not read as an amr value', { acr: 'mfa' }, false],
    ['an amr value is not read as the acr', { amr: ['aal2'] }, false],
  ] as const)('%s: %s', (_case, given, proved) => {
    expect(provesSecondFactor(settings, claims(given as Partial<AuthenticationClaims>))).toBe(proved);
  });

  it('accepts no acr when none is configured (the default)', () => {
    expect(provesSecondFactor(config(), claims({ acr: '' }))).toBe(false);
    expect(provesSecondFactor(config(), claims({ amr: ['mfa'] }))).toBe(true);
  });
});

describe('stepUpVerdict: the second factor', () => {
  it.each([
    ['never', {}, 'ok'],
    ['never', { amr: ['mfa'] }, 'ok'],
    ['when-enrolled', {}, 'refuseIfEnrolled'],
    ['when-enrolled', { amr: ['pwd'] }, 'refuseIfEnrolled'],
    ['when-enrolled', { amr: ['pwd', 'mfa'] }, 'ok'],
    ['always', {}, 'mfaRequired'],
    ['always', { amr: ['pwd'] }, 'mfaRequired'],
    ['always', { amr: ['mfa'] }, 'ok'],
  ] as const)('MFA_REQUIRED=%s with claims %j: %s', (required, given, verdict) => {
    expect(stepUpVerdict(config({ required }), claims(given as Partial<AuthenticationClaims>), NOW)).toBe(verdict);
  });

  it('takes an acr match as the factor too', () => {
    expect(stepUpVerdict(config({ required: 'always', acrValues: ['aal2'] }), claims({ acr: 'aal2' }), NOW)).toBe('ok');
    expect(stepUpVerdict(config({ required: 'when-enrolled', acrValues: ['aal2'] }), claims({ acr: 'aal2' }), NOW)).toBe('ok');
  });
});

describe('stepUpVerdict: the sign-in age (MAX_AUTH_AGE_SECONDS)', () => {
  const maxAge = config({ maxAuthAgeSeconds: 300 });
  const tolerance = CLOCK_TOLERANCE_SECONDS;

  it.each([
    ['a sign-in just now', NOW_SECONDS, 'ok'],
    ['a sign-in exactly the maximum age ago', NOW_SECONDS - 300, 'ok'],
    ['a sign-in the maximum age plus the tolerance ago', NOW_SECONDS - 300 - tolerance, 'ok'],
    ['a sign-in one second more than that ago', NOW_SECONDS - 300 - tolerance - 1, 'reauthenticationRequired'],
    ['a sign-in an hour ago', NOW_SECONDS - 3600, 'reauthenticationRequired'],
    ['a sign-in ahead of now by the tolerance (issuer clock ahead)', NOW_SECONDS + tolerance, 'ok'],
    ['a sign-in ahead of now by more than the tolerance', NOW_SECONDS + tolerance + 1, 'reauthenticationRequired'],
    ['a sign-in far in the future (would look fresh forever)', NOW_SECONDS + 86_400, 'reauthenticationRequired'],
    ['no auth_time', undefined, 'reauthenticationRequired'],
  ] as const)('%s: %s', (_case, authTime, verdict) => {
    expect(stepUpVerdict(maxAge, claims({ authTime }), NOW)).toBe(verdict);
  });

  it('compares with fractions of a second of now, not a rounded now', () => {
    const later = new Date(NOW.getTime() + 500);
    expect(stepUpVerdict(maxAge, claims({ authTime: NOW_SECONDS - 300 - tolerance }), later)).toBe('reauthenticationRequired');
    const earlier = new Date(NOW.getTime() - 500);
    expect(stepUpVerdict(maxAge, claims({ authTime: NOW_SECONDS + tolerance }), earlier)).toBe('reauthenticationRequired');
  });

  it('ignores auth_time when MAX_AUTH_AGE_SECONDS is unset', () => {
    expect(stepUpVerdict(config(), claims(), NOW)).toBe('ok');
    expect(stepUpVerdict(config(), claims({ authTime: 0 }), NOW)).toBe('ok');
    expect(stepUpVerdict(config({ required: 'always' }), claims({ amr: ['mfa'], authTime: 0 }), NOW)).toBe('ok');
  });
});

describe('stepUpVerdict: both demands', () => {
  it('asks for a fresh sign-in first when the sign-in is too old and the factor is missing', () => {
    const both = (required: StepUpConfig['required']) => config({ required, maxAuthAgeSeconds: 300 });
    expect(stepUpVerdict(both('always'), claims({ authTime: NOW_SECONDS - 3600 }), NOW)).toBe('reauthenticationRequired');
    expect(stepUpVerdict(both('when-enrolled'), claims({ authTime: NOW_SECONDS - 3600 }), NOW)).toBe('reauthenticationRequired');
  });

  it('then the factor, once the sign-in is recent', () => {
    const both = (required: StepUpConfig['required']) => config({ required, maxAuthAgeSeconds: 300 });
    expect(stepUpVerdict(both('always'), claims({ authTime: NOW_SECONDS - 10 }), NOW)).toBe('mfaRequired');
    expect(stepUpVerdict(both('when-enrolled'), claims({ authTime: NOW_SECONDS - 10 }), NOW)).toBe('refuseIfEnrolled');
    expect(stepUpVerdict(both('always'), claims({ authTime: NOW_SECONDS - 10, amr: ['mfa'] }), NOW)).toBe('ok');
  });
});

describe('stepUpRefusal', () => {
  it.each(['mfaRequired', 'reauthenticationRequired'] as const)('is the 403 4003 with details.reason %s', (reason) => {
    const error = stepUpRefusal(reason);
    expect(error).toBeInstanceOf(AppError);
    expect(error.key).toBe('MFA_REQUIRED');
    expect(error.details).toEqual({ reason });
  });
});
