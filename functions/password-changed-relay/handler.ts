/** The Lambda entry of the PasswordChanged relay (serverless.yml `passwordChangedRelay`, a DynamoDB stream target). */
import { passwordChangedRelayHandler } from '../../lib/compose.js';

export const handler = passwordChangedRelayHandler();
