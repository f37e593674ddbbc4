/** `npm run token -- [userId] [expiry]`: the CLI of scripts/token-command.ts. */
import { runAsCli } from './command.js';
import { token } from './token-command.js';

await runAsCli(token);
