/** `npm run user:create -- <userId> <password> [email]`: the CLI of scripts/user-create-command.ts. */
import { runAsCli } from './command.js';
import { userCreate } from './user-create-command.js';

await runAsCli(userCreate);
