/**
 * `npm run token -- [userId] [expiry]`: prints a development bearer token for `userId` (default
 * the demo user), signed with the key stage `local` verifies with: the shell's JWT_SECRET (with
 * JWT_ISSUER / JWT_AUDIENCE) when set, else the local dev secret. Expiry in jose's format (`12h`,
 * `30m`, `7d`); default 12 hours. Only for the laptop: no other stage accepts the dev secret.
 * Run as a script, it is the CLI; tests call `token` in-process.
 */
import { printed, refused, runAsCli, type CommandResult } from './command.js';
import { DEMO_USER, mintToken } from '../local/dev-token.js';
import { localJwtSecret } from '../local/function-env.js';

const usage = 'usage: npm run token -- [userId] [expiry, e.g. 12h]';

export const token = async (args: string[], env: NodeJS.ProcessEnv): Promise<CommandResult> => {
  const [userId = DEMO_USER.userId, expiresIn = '12h', ...extra] = args;
  if (extra.length > 0 || userId === '--help' || userId === '-h' || userId.trim() === '') return refused(2, usage);
  if (!/^\d+\s*(s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks)$/i.test(expiresIn)) {
    return refused(2, `✖ expiry "${expiresIn}" is not a duration such as 30m, 12h or 7d\n${usage}`);
  }
  const secret = localJwtSecret(env);
  if (secret === '') {
    return refused(2, '✖ npm run token signs with JWT_SECRET or the dev secret; with JWT_PUBLIC_KEY, JWT_JWKS_URL or JWT_SECRET_PARAMETER, tokens come from your identity provider');
  }
  const { JWT_ISSUER: issuer, JWT_AUDIENCE: audience } = env;
  return printed(await mintToken(userId, { expiresIn, secret, issuer: issuer || undefined, audience: audience || undefined }));
};

if (import.meta.main) await runAsCli(token);
