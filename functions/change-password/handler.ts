/** The Lambda entry of POST /v1/users/profile/change-password (serverless.yml `changePassword`). */
import { changePasswordHandler } from '../../lib/compose.js';

export const handler = changePasswordHandler();
