import { AppError } from './errors.js';
import { CLOCK_TOLERANCE_SECONDS, type VerifiedToken } from './ports.js';

/**
 * Step-up: a password change may demand that the token prove a second factor and a recent sign-in.
 * Pure: the token's claims, the settings and now in, a verdict out. The use case asks it before the
 * store is called, so a refusal costs no bcrypt and no old-password attempt.
 */

/** When a second factor is demanded: `never`, `when-enrolled` (the user record says so), `always`. */
export const MFA_REQUIREMENTS = ['never', 'when-enrolled', 'always'] as const;
export type MfaRequirement = (typeof MFA_REQUIREMENTS)[number];

/** The step-up settings (MFA_REQUIRED, MFA_AMR_VALUES, MFA_ACR_VALUES, MAX_AUTH_AGE_SECONDS). */
export interface StepUpConfig {
  required: MfaRequirement;
  /** RFC 8176 `amr` values any one of which proves a second factor. */
  amrValues: readonly string[];
  /** `acr` values that prove a second factor. */
  acrValues: readonly string[];
  /** When set, `auth_time` must be present and at most this many seconds old. */
  maxAuthAgeSeconds: number | undefined;
}

/** How the token's holder signed in: the claims step-up reads. */
export type AuthenticationClaims = Pick<VerifiedToken, 'amr' | 'acr' | 'authTime'>;

/** `details.reason` of a 403 4003: what the client must do, a step-up or a fresh sign-in. */
export type StepUpReason = 'mfaRequired' | 'reauthenticationRequired';

/**
 * `ok`: nothing to demand. `refuseIfEnrolled`: refuse when the user record says a second factor is
 * enrolled, which only the store knows. Otherwise the claims alone refuse, with that reason.
 */
export type StepUpVerdict = 'ok' | 'refuseIfEnrolled' | StepUpReason;

/** Whether the token proves a second factor: an `amr` value or the `acr` is one of the configured ones. */
export const provesSecondFactor = (config: StepUpConfig, claims: AuthenticationClaims): boolean =>
  claims.amr?.some((value) => config.amrValues.includes(value)) === true || config.acrValues.some((value) => value === claims.acr);

/**
 * Whether the sign-in is too old, or unknown, for MAX_AUTH_AGE_SECONDS. An `auth_time` ahead of now
 * by more than the tolerance is refused too: it would make the token look fresh for its whole life.
 */
const authenticationTooOld = (maxAgeSeconds: number, authTime: number | undefined, now: Date): boolean => {
  if (authTime === undefined) return true;
  const age = now.getTime() / 1000 - authTime;
  return age > maxAgeSeconds + CLOCK_TOLERANCE_SECONDS || age < -CLOCK_TOLERANCE_SECONDS;
};

/**
 * The verdict on a token. The sign-in's age comes first: it is decided by the token alone, and a
 * fresh sign-in at an identity provider that knows the user's second factor usually asks for it
 * too. Then the factor: `always` refuses a token without one; `when-enrolled` leaves the refusal to
 * the store, which knows the enrolment.
 */
export const stepUpVerdict = (config: StepUpConfig, claims: AuthenticationClaims, now: Date): StepUpVerdict => {
  if (config.maxAuthAgeSeconds !== undefined && authenticationTooOld(config.maxAuthAgeSeconds, claims.authTime, now)) return 'reauthenticationRequired';
  if (config.required === 'never' || provesSecondFactor(config, claims)) return 'ok';
  return config.required === 'always' ? 'mfaRequired' : 'refuseIfEnrolled';
};

/** The 403 4003 for a reason; the store throws it too, for an enrolled user (lib/adapters/dynamodb). */
export const stepUpRefusal = (reason: StepUpReason): AppError => new AppError('MFA_REQUIRED', { details: { reason } });
