/** The Lambda entry of the HTTP API token authorizer (serverless.yml `tokenAuthorizer`). */
import { tokenAuthorizerHandler } from '../../lib/compose.js';

export const handler = tokenAuthorizerHandler();
