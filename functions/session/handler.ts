/** The Lambda entry of GET /v1/session, the sample route behind the token authorizer (serverless.yml `session`). */
import { sessionHandler } from '../../lib/compose.js';

export const handler = sessionHandler();
