/** The Lambda entry of GET /v1/password-policy (serverless.yml `passwordPolicy`): the rules in force, without a token. */
import { passwordPolicyHandler } from '../../lib/compose.js';

export const handler = passwordPolicyHandler();
