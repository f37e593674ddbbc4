/**
 * `npm run token -- [userId] [expiry]`: prints a development bearer token for `userId` (default
 * the demo user), signed with the key stage `local` verifies with: the shell's JWT_SECRET (with
 * JWT_ISSUER / JWT_AUDIENCE) when set, else the local dev secret. Expiry in jose's format (`12h`,
 * `30m`, `7d`); default 12 hours. Only for the laptop: no other stage accepts the dev secret.
 */
import { DEMO_USER, mintToken } from './dev-token.js';
import { localJwtSecret } from './local-function-env.js';

const [userId = DEMO_USER.userId, expiresIn = '12h', ...extra] = process.argv.slice(2);
const usage = 'usage: npm run token -- [userId] [expiry, e.g. 12h]';

if (extra.length > 0 || userId === '--help' || userId === '-h' || userId.trim() === '') {
  console.error(usage);
  process.exit(2);
}
if (!/^\d+\s*(s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks)$/i.test(expiresIn)) {
  console.error(`✖ expiry "${expiresIn}" is not a duration such as 30m, 12h or 7d\n${usage}`);
  process.exit(2);
}
const secret = localJwtSecret(process.env);
if (secret === '') {
  console.error('✖ npm run token signs with JWT_SECRET or the dev secret; with JWT_PUBLIC_KEY, JWT_JWKS_URL or JWT_SECRET_PARAMETER, tokens come from your identity provider');
  process.exit(2);
}
const { JWT_ISSUER: issuer, JWT_AUDIENCE: audience } = process.env;
console.log(await mintToken(userId, { expiresIn, secret, issuer: issuer || undefined, audience: audience || undefined }));
