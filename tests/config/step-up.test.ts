import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../lib/config/load.js';

/** MFA_REQUIRED, MFA_AMR_VALUES, MFA_ACR_VALUES and MAX_AUTH_AGE_SECONDS into the core's StepUpConfig. */
const stepUp = (env: Record<string, string>) => loadConfig({ USERS_TABLE: 'users', JWT_SECRET: 's'.repeat(32), ...env }).stepUp;

const configError = (env: Record<string, string>): string => {
  try {
    stepUp(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
};

describe('step-up variables', () => {
  it('are off by default: never, amr "mfa", no acr, no sign-in age; empty is unset', () => {
    const off = { required: 'never', amrValues: ['mfa'], acrValues: [], maxAuthAgeSeconds: undefined };
    expect(stepUp({})).toEqual(off);
    expect(stepUp({ MFA_REQUIRED: '', MFA_AMR_VALUES: ' ', MFA_ACR_VALUES: '', MAX_AUTH_AGE_SECONDS: '' })).toEqual(off);
  });

  it.each(['never', 'when-enrolled', 'always'])('MFA_REQUIRED accepts %s', (required) => {
    expect(stepUp({ MFA_REQUIRED: ` ${required} ` }).required).toBe(required);
  });

  it.each(['true', 'enrolled', 'Always', 'when_enrolled'])('MFA_REQUIRED refuses %s, naming the variable and the choices', (value) => {
    expect(configError({ MFA_REQUIRED: value })).toBe(`MFA_REQUIRED must be one of never, when-enrolled, always (got "${value}")`);
  });

  it('reads MFA_AMR_VALUES and MFA_ACR_VALUES as comma-separated lists, trimmed, without empty entries', () => {
    const settings = stepUp({ MFA_AMR_VALUES: ' otp, hwk ,,swk', MFA_ACR_VALUES: 'urn:example:aal2, gold' });
    expect(settings.amrValues).toEqual(['otp', 'hwk', 'swk']);
    expect(settings.acrValues).toEqual(['urn:example:aal2', 'gold']);
  });

  it('reads MAX_AUTH_AGE_SECONDS as whole seconds', () => {
    expect(stepUp({ MAX_AUTH_AGE_SECONDS: '300' }).maxAuthAgeSeconds).toBe(300);
    expect(configError({ MAX_AUTH_AGE_SECONDS: '0' })).toBe('MAX_AUTH_AGE_SECONDS must be a whole number from 1 to 86400 (got "0")');
  });
});
