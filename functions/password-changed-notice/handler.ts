/** The Lambda entry of the PasswordChanged notice (serverless.yml `passwordChangedNotice`, an EventBridge target). */
import { passwordChangedNoticeHandler } from '../../lib/compose.js';

export const handler = passwordChangedNoticeHandler();
