import { describe, expect, it } from 'vitest';
import { loadConfig, loadPasswordPolicyRouteConfig, loadRelayConfig } from '../../lib/config/load.js';
import { ConfigError } from '../../lib/core/settings.js';
import { DEFAULT_LAYOUT } from '../../lib/adapters/dynamodb/table-layout.js';
import { DEV_JWT_SECRET } from '../../lib/config/variables.js';

const SECRET_32 = 's'.repeat(32);
const PEM = '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----';

/** The smallest valid environment; each test overrides what it is about. */
const env = (overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => ({
  USERS_TABLE: 'users',
  JWT_SECRET: SECRET_32,
  ...overrides,
});

/** Runs loadConfig and returns the ConfigError it throws (fails the test if it does not throw one). */
const configError = (environment: NodeJS.ProcessEnv): ConfigError => {
  try {
    loadConfig(environment);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
};

describe('loadConfig defaults', () => {
  it('applies cost 12, minLength 8, all four classes, minUniqueChars 5, minStrength 3, stage local', () => {
    // Act
    const config = loadConfig(env());

    // Assert
    expect(config).toEqual({
      stage: 'local',
      usersTable: 'users',
      usersLayout: DEFAULT_LAYOUT,
      dynamodb: {},
      jwt: { key: { kind: 'secret', secret: SECRET_32 }, issuer: undefined, audience: undefined },
      bcryptCost: 12,
      policy: { minLength: 8, requiredClasses: ['lower', 'upper', 'digit', 'symbol'], minUniqueChars: 5, guessability: { minStrength: 3 } },
      protection: { maxAttempts: 5, windowSeconds: 900, historySize: 5, replayWindowSeconds: 300 },
      corsAllowedOrigins: [],
      eventBusName: undefined,
      region: 'eu-west-1',
      breachedPasswords: { enabled: false, apiUrl: 'https://api.pwnedpasswords.com', timeoutMs: 1000, maxBreaches: 0, failClosed: false },
      stepUp: { required: 'never', amrValues: ['mfa'], acrValues: [], maxAuthAgeSeconds: undefined },
      observability: { serviceName: 'change-password', metricsNamespace: 'ChangePassword', tracing: false },
    });
  });

  it('treats empty values like unset ones for optional numbers', () => {
    // Act
    const config = loadConfig(env({ BCRYPT_COST: '', PASSWORD_MIN_LENGTH: '  ', PASSWORD_MIN_UNIQUE_CHARS: '' }));

    // Assert
    expect(config.bcryptCost).toBe(12);
    expect(config.policy.minLength).toBe(8);
    expect(config.policy.minUniqueChars).toBe(5);
  });

  it('reads the optional values when they are set', () => {
    // Act
    const config = loadConfig(
      env({
        STAGE: 'staging',
        DYNAMODB_ENDPOINT: 'http://localhost:8000',
        JWT_ISSUER: 'https://issuer.example.com',
        JWT_AUDIENCE: 'users-api',
        BCRYPT_COST: '10',
        PASSWORD_MIN_LENGTH: '12',
        PASSWORD_MIN_UNIQUE_CHARS: '6',
      }),
    );

    // Assert
    expect(config.stage).toBe('staging');
    expect(config.dynamodb).toEqual({ endpoint: 'http://localhost:8000', region: undefined, placeholderCredentials: true });
    expect(config.jwt.issuer).toBe('https://issuer.example.com');
    expect(config.jwt.audience).toBe('users-api');
    expect(config.bcryptCost).toBe(10);
    expect(config.policy.minLength).toBe(12);
    expect(config.policy.minUniqueChars).toBe(6);
  });
});

describe('USERS_TABLE', () => {
  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '   '],
  ])('is refused when %s, naming USERS_TABLE', (_label, value) => {
    // Act
    const error = configError(env({ USERS_TABLE: value }));

    // Assert
    expect(error.message).toContain('USERS_TABLE');
  });
});

describe('JWT key source', () => {
  it('is refused when none of JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS_URL is set', () => {
    // Act
    const error = configError(env({ JWT_SECRET: undefined }));

    // Assert
    expect(error.message).toContain('JWT_SECRET');
    expect(error.message).toContain('JWT_PUBLIC_KEY');
    expect(error.message).toContain('JWT_JWKS_URL');
  });

  it.each([
    ['JWT_SECRET and JWT_PUBLIC_KEY', { JWT_PUBLIC_KEY: PEM }],
    ['JWT_SECRET and JWT_JWKS_URL', { JWT_JWKS_URL: 'https://issuer.example.com/jwks.json' }],
    ['JWT_PUBLIC_KEY and JWT_JWKS_URL', { JWT_SECRET: undefined, JWT_PUBLIC_KEY: PEM, JWT_JWKS_URL: 'https://issuer.example.com/jwks.json' }],
    ['all three', { JWT_PUBLIC_KEY: PEM, JWT_JWKS_URL: 'https://issuer.example.com/jwks.json' }],
  ])('is refused when two are set (%s)', (_label, overrides) => {
    // Act
    const error = configError(env(overrides));

    // Assert
    expect(error.message).toMatch(/exactly one of JWT_SECRET .* JWT_PUBLIC_KEY .* JWT_JWKS_URL/);
  });

  it('refuses a JWT_SECRET shorter than 32 bytes', () => {
    // Act
    const error = configError(env({ JWT_SECRET: 's'.repeat(31) }));

    // Assert
    expect(error.message).toContain('JWT_SECRET');
    expect(error.message).toContain('32 bytes');
  });

  it('measures JWT_SECRET in bytes: 11 × "€" is 33 bytes and accepted', () => {
    // Act
    const config = loadConfig(env({ JWT_SECRET: '€'.repeat(11) }));

    // Assert
    expect(config.jwt.key).toEqual({ kind: 'secret', secret: '€'.repeat(11) });
  });

  it.each(['prod', 'Prod', 'production', 'dev'])('refuses the development secret on STAGE=%s', (stage) => {
    // Act
    const error = configError(env({ STAGE: stage, JWT_SECRET: DEV_JWT_SECRET }));

    // Assert
    expect(error.message).toContain('JWT_SECRET');
    expect(error.message).toContain(stage);
  });

  it('accepts the development secret on STAGE=local and when STAGE is unset', () => {
    // Act
    const dev = loadConfig(env({ STAGE: 'local', JWT_SECRET: DEV_JWT_SECRET }));
    const unset = loadConfig(env({ JWT_SECRET: DEV_JWT_SECRET }));

    // Assert
    expect(dev.jwt.key).toEqual({ kind: 'secret', secret: DEV_JWT_SECRET });
    expect(unset.stage).toBe('local');
    expect(unset.jwt.key).toEqual({ kind: 'secret', secret: DEV_JWT_SECRET });
  });

  it('accepts a real secret on STAGE=prod', () => {
    // Act
    const config = loadConfig(env({ STAGE: 'prod' }));

    // Assert
    expect(config.stage).toBe('prod');
    expect(config.jwt.key).toEqual({ kind: 'secret', secret: SECRET_32 });
  });

  it('refuses a JWT_PUBLIC_KEY that is not a PEM public key, saying what one looks like', () => {
    expect(configError(env({ JWT_SECRET: undefined, JWT_PUBLIC_KEY: 'not a key' })).message).toBe('JWT_PUBLIC_KEY is not a readable PEM public key (-----BEGIN PUBLIC KEY-----)');
  });

  it('turns literal "\\n" sequences of JWT_PUBLIC_KEY into newlines', () => {
    // Act
    const config = loadConfig(env({ JWT_SECRET: undefined, JWT_PUBLIC_KEY: PEM.replace(/\n/g, '\\n') }));

    // Assert
    const { key } = config.jwt;
    expect(key.kind === 'publicKey' && key.key.export({ type: 'spki', format: 'pem' }).toString().trim()).toBe(PEM);
    expect(key).toMatchObject({ kind: 'publicKey', algorithm: 'EdDSA' });
  });

  it.each(['https://issuer.example.com/.well-known/jwks.json', 'http://localhost:8080/jwks', 'http://127.0.0.1:9000/jwks', 'http://[::1]:9000/jwks'])(
    'accepts JWT_JWKS_URL %s',
    (url) => {
      // Act
      const config = loadConfig(env({ JWT_SECRET: undefined, JWT_JWKS_URL: url }));

      // Assert
      expect(config.jwt.key).toEqual({ kind: 'jwks', url: new URL(url) });
    },
  );

  it.each(['http://issuer.example.com/jwks.json', 'http://localhost.example.com/jwks', 'ftp://issuer.example.com/jwks', 'not a url', '/jwks.json'])(
    'refuses JWT_JWKS_URL %s, naming the variable',
    (url) => {
      // Act
      const error = configError(env({ JWT_SECRET: undefined, JWT_JWKS_URL: url }));

      // Assert
      expect(error.message).toContain('JWT_JWKS_URL');
      expect(error.message).toContain('https://');
    },
  );
});

describe('BCRYPT_COST', () => {
  it.each(['4', '31'])('accepts the boundary value %s', (value) => {
    // Act
    const config = loadConfig(env({ BCRYPT_COST: value }));

    // Assert
    expect(config.bcryptCost).toBe(Number(value));
  });

  it.each(['3', '32', '0', '-5', '12.5', '1e1', 'abc', 'twelve', '0x0c'])('refuses %j, naming BCRYPT_COST', (value) => {
    // Act
    const error = configError(env({ BCRYPT_COST: value }));

    // Assert
    expect(error.message).toContain('BCRYPT_COST');
    expect(error.message).toContain(value);
  });
});

describe('password policy variables', () => {
  it.each([
    ['PASSWORD_MIN_LENGTH', '7'],
    ['PASSWORD_MIN_LENGTH', '129'],
    ['PASSWORD_MIN_UNIQUE_CHARS', '0'],
    ['PASSWORD_MIN_UNIQUE_CHARS', 'many'],
  ])('refuses %s=%j, naming the variable', (name, value) => {
    // Act
    const error = configError(env({ [name]: value }));

    // Assert
    expect(error.message).toContain(name);
  });

  it('refuses an unknown PASSWORD_REQUIRED_CLASSES name, naming the variable and the bad name', () => {
    // Act
    const error = configError(env({ PASSWORD_REQUIRED_CLASSES: 'lower,special' }));

    // Assert
    expect(error.message).toContain('PASSWORD_REQUIRED_CLASSES');
    expect(error.message).toContain('special');
  });

  it('requires no class when PASSWORD_REQUIRED_CLASSES is "none"', () => {
    // Act
    const config = loadConfig(env({ PASSWORD_REQUIRED_CLASSES: 'none' }));

    // Assert
    expect(config.policy.requiredClasses).toEqual([]);
  });

  // serverless.yml passes '' for an unset variable, so empty must mean "use the default".
  it.each(['', '   '])('requires all four classes when PASSWORD_REQUIRED_CLASSES is %j, as when unset', (value) => {
    // Act
    const config = loadConfig(env({ PASSWORD_REQUIRED_CLASSES: value }));

    // Assert
    expect(config.policy.requiredClasses).toEqual(['lower', 'upper', 'digit', 'symbol']);
  });

  it('reads a comma-separated list, ignoring spaces', () => {
    // Act
    const config = loadConfig(env({ PASSWORD_REQUIRED_CLASSES: ' upper, digit ' }));

    // Assert
    expect(config.policy.requiredClasses).toEqual(['upper', 'digit']);
  });
});

describe('DYNAMODB_ENDPOINT', () => {
  it('refuses a value that is not a URL, naming the variable', () => {
    // Act
    const error = configError(env({ DYNAMODB_ENDPOINT: 'localhost 8000' }));

    // Assert
    expect(error.message).toContain('DYNAMODB_ENDPOINT');
  });
});

describe('JWT_SECRET_PARAMETER', () => {
  it('names the SSM parameter that holds the HS256 secret; only the name is configured', () => {
    // Act
    const config = loadConfig(env({ JWT_SECRET: undefined, STAGE: 'prod', JWT_SECRET_PARAMETER: ' /change-password/prod/jwt-secret ' }));

    // Assert
    expect(config.jwt.key).toEqual({ kind: 'secretParameter', name: '/change-password/prod/jwt-secret' });
  });

  it('counts as one of the key sources: with JWT_SECRET too it is refused, naming all four', () => {
    // Act
    const error = configError(env({ JWT_SECRET_PARAMETER: '/change-password/prod/jwt-secret' }));

    // Assert
    expect(error.message).toMatch(/exactly one of JWT_SECRET .*JWT_SECRET_PARAMETER .* JWT_PUBLIC_KEY .* JWT_JWKS_URL/);
  });

  it.each([['jwt-secret'], ['/has space'], ['/'], ['arn:aws:ssm:eu-west-1:123456789012:parameter/x']])('refuses "%s", saying how a name must look', (name) => {
    // Act
    const error = configError(env({ JWT_SECRET: undefined, JWT_SECRET_PARAMETER: name }));

    // Assert
    expect(error.message).toContain('JWT_SECRET_PARAMETER must be an SSM parameter name starting with "/"');
    expect(error.message).toContain(name);
  });
});

describe('numeric settings: each range, as documented in the README', () => {
  // The documented ranges, written out (not read from lib/config/load.ts): lowest and highest accepted.
  const RANGES: [string, number, number, (c: ReturnType<typeof loadConfig>) => number][] = [
    ['BCRYPT_COST', 4, 31, (c) => c.bcryptCost],
    ['PASSWORD_MIN_LENGTH', 8, 128, (c) => c.policy.minLength],
    ['PASSWORD_MIN_UNIQUE_CHARS', 1, 128, (c) => c.policy.minUniqueChars],
    ['PASSWORD_MIN_STRENGTH', 0, 4, (c) => c.policy.guessability?.minStrength ?? Number.NaN],
    ['LOCKOUT_MAX_ATTEMPTS', 1, 100, (c) => c.protection.maxAttempts],
    ['LOCKOUT_WINDOW_SECONDS', 1, 86_400, (c) => c.protection.windowSeconds],
    ['PASSWORD_HISTORY_SIZE', 0, 24, (c) => c.protection.historySize],
    ['REPLAY_WINDOW_SECONDS', 0, 3600, (c) => c.protection.replayWindowSeconds],
    ['HIBP_TIMEOUT_MS', 50, 5000, (c) => c.breachedPasswords.timeoutMs],
    ['HIBP_MAX_BREACHES', 0, 1_000_000_000, (c) => c.breachedPasswords.maxBreaches],
    ['MAX_AUTH_AGE_SECONDS', 1, 86_400, (c) => c.stepUp.maxAuthAgeSeconds ?? Number.NaN],
  ];

  it.each(RANGES)('%s accepts %i and %i', (name, low, high, read) => {
    expect(read(loadConfig(env({ [name]: String(low) })))).toBe(low);
    expect(read(loadConfig(env({ [name]: String(high) })))).toBe(high);
  });

  it.each(RANGES)('%s refuses %i − 1, %i + 1 and a non-integer, naming the variable', (name, low, high) => {
    for (const value of [String(low - 1), String(high + 1), '2.5', 'ten']) {
      expect(configError(env({ [name]: value })).message).toContain(name);
    }
  });
});

describe('CORS_ALLOWED_ORIGINS', () => {
  it('is off (no origins) when unset or empty', () => {
    expect(loadConfig(env()).corsAllowedOrigins).toEqual([]);
    expect(loadConfig(env({ CORS_ALLOWED_ORIGINS: ' ' })).corsAllowedOrigins).toEqual([]);
  });

  it('reads a comma-separated list of origins, and *', () => {
    expect(loadConfig(env({ CORS_ALLOWED_ORIGINS: 'https://app.example.com, http://localhost:5173,*' })).corsAllowedOrigins).toEqual(['https://app.example.com', 'http://localhost:5173', '*']);
  });

  it.each(['app.example.com', 'https://app.example.com/', 'https://app.example.com/path', 'ftp://app.example.com', 'https://a.example.com https://b.example.com'])(
    'refuses %j, naming the variable',
    (value) => {
      expect(configError(env({ CORS_ALLOWED_ORIGINS: value })).message).toContain('CORS_ALLOWED_ORIGINS');
    },
  );
});

describe('step-up variables (MFA_REQUIRED, MFA_AMR_VALUES, MFA_ACR_VALUES, MAX_AUTH_AGE_SECONDS)', () => {
  const stepUp = (overrides: Record<string, string>) => loadConfig(env(overrides)).stepUp;

  it('are off by default: never, amr "mfa", no acr, no sign-in age; empty is unset', () => {
    const off = { required: 'never', amrValues: ['mfa'], acrValues: [], maxAuthAgeSeconds: undefined };
    expect(stepUp({})).toEqual(off);
    expect(stepUp({ MFA_REQUIRED: '', MFA_AMR_VALUES: ' ', MFA_ACR_VALUES: '', MAX_AUTH_AGE_SECONDS: '' })).toEqual(off);
  });

  it.each(['never', 'when-enrolled', 'always'])('MFA_REQUIRED accepts %s', (required) => {
    expect(stepUp({ MFA_REQUIRED: ` ${required} ` }).required).toBe(required);
  });

  it.each(['true', 'enrolled', 'Always', 'when_enrolled'])('MFA_REQUIRED refuses %s, naming the variable and the choices', (value) => {
    expect(configError(env({ MFA_REQUIRED: value })).message).toBe(`MFA_REQUIRED must be one of never, when-enrolled, always (got "${value}")`);
  });

  it('reads MFA_AMR_VALUES and MFA_ACR_VALUES as comma-separated lists, trimmed, without empty entries', () => {
    const settings = stepUp({ MFA_AMR_VALUES: ' otp, hwk ,,swk', MFA_ACR_VALUES: 'urn:example:aal2, gold' });
    expect(settings.amrValues).toEqual(['otp', 'hwk', 'swk']);
    expect(settings.acrValues).toEqual(['urn:example:aal2', 'gold']);
  });

  it('reads MAX_AUTH_AGE_SECONDS as whole seconds from 1 to 86400', () => {
    expect(stepUp({ MAX_AUTH_AGE_SECONDS: '300' }).maxAuthAgeSeconds).toBe(300);
    expect(configError(env({ MAX_AUTH_AGE_SECONDS: '0' })).message).toBe('MAX_AUTH_AGE_SECONDS must be a whole number from 1 to 86400 (got "0")');
  });
});

describe('PASSWORD_PROFILE=nist', () => {
  const nist = (overrides: Record<string, string> = {}) => loadConfig(env({ PASSWORD_PROFILE: 'nist', ...overrides })).policy;

  it('asks 15 code points, 8 beside a second factor, no class and 1 distinct character when nothing else is set', () => {
    expect(nist()).toEqual({ minLength: 15, minLengthWithMfa: 8, requiredClasses: [], minUniqueChars: 1, guessability: { minStrength: 3 } });
  });

  it('takes the variables over its defaults', () => {
    expect(nist({ PASSWORD_MIN_LENGTH: '20', PASSWORD_MIN_LENGTH_WITH_MFA: '12', PASSWORD_MIN_UNIQUE_CHARS: '4', PASSWORD_REQUIRED_CLASSES: 'none' })).toEqual({
      minLength: 20, minLengthWithMfa: 12, requiredClasses: [], minUniqueChars: 4, guessability: { minStrength: 3 },
    });
  });

  it('refuses composition rules, naming the variable', () => {
    expect(configError(env({ PASSWORD_PROFILE: 'nist', PASSWORD_REQUIRED_CLASSES: 'lower' })).message).toBe(
      'PASSWORD_REQUIRED_CLASSES must be unset or "none" with PASSWORD_PROFILE=nist: NIST SP 800-63B-4 forbids composition rules (got "lower")',
    );
  });

  it('refuses a minimum with a second factor above the one without, and takes one equal to it', () => {
    expect(configError(env({ PASSWORD_PROFILE: 'nist', PASSWORD_MIN_LENGTH: '10', PASSWORD_MIN_LENGTH_WITH_MFA: '11' })).message).toBe(
      'PASSWORD_MIN_LENGTH_WITH_MFA must not exceed PASSWORD_MIN_LENGTH (10): a second factor never asks for a longer password (got "11")',
    );
    expect(nist({ PASSWORD_MIN_LENGTH: '10', PASSWORD_MIN_LENGTH_WITH_MFA: '10' })).toMatchObject({ minLength: 10, minLengthWithMfa: 10 });
  });
});

describe('PASSWORD_MIN_LENGTH_WITH_MFA under the default profile', () => {
  it('is off (no such key) unless set, and read when set', () => {
    expect(loadConfig(env()).policy).not.toHaveProperty('minLengthWithMfa');
    expect(loadConfig(env({ PASSWORD_MIN_LENGTH: '12', PASSWORD_MIN_LENGTH_WITH_MFA: '9' })).policy).toMatchObject({ minLength: 12, minLengthWithMfa: 9 });
  });
});

describe('the error messages list every bad entry, comma-separated', () => {
  it('PASSWORD_REQUIRED_CLASSES', () => {
    expect(configError(env({ PASSWORD_REQUIRED_CLASSES: 'lower,special,emoji' })).message).toBe(
      'PASSWORD_REQUIRED_CLASSES may list only lower, upper, digit, symbol (got "special,emoji"), or "none" to require no class',
    );
  });

  it('CORS_ALLOWED_ORIGINS', () => {
    expect(configError(env({ CORS_ALLOWED_ORIGINS: 'app.example.com,https://ok.example.com,ftp://x' })).message).toBe(
      'CORS_ALLOWED_ORIGINS must be a comma-separated list of origins like https://app.example.com (got "app.example.com,ftp://x")',
    );
  });
});

describe('loadRelayConfig', () => {
  it('requires EVENT_BUS_NAME, the bus the relay publishes on', () => {
    expect(() => loadRelayConfig({ USERS_TABLE: 'users', EVENT_BUS_NAME: ' ' })).toThrow(
      new ConfigError('EVENT_BUS_NAME is required: the EventBridge bus the relay publishes PasswordChanged events on'),
    );
    expect(loadRelayConfig({ USERS_TABLE: 'users', EVENT_BUS_NAME: 'bus', AWS_REGION: 'eu-central-1' })).toMatchObject({ usersTable: 'users', eventBusName: 'bus', region: 'eu-central-1' });
  });
});

describe('loadPasswordPolicyRouteConfig', () => {
  it('publishes the Pwned Passwords lookup as off on the laptop stage (STAGE unset too) and on elsewhere', () => {
    const lookup = (overrides: Record<string, string>) => loadPasswordPolicyRouteConfig(overrides).published.pwnedPasswordsLookup;
    expect(lookup({})).toBe(false);
    expect(lookup({ STAGE: 'local' })).toBe(false);
    expect(lookup({ STAGE: 'prod' })).toBe(true);
    expect(lookup({ STAGE: 'prod', HIBP_ENABLED: 'false' })).toBe(false);
  });
});
