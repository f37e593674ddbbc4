import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { EmailSender } from '../../core/notify-owner.js';

/**
 * The notice's email sender: Amazon SES v2 `SendEmail` with simple content (subject, text and
 * HTML bodies, UTF-8), to every address of the owner at once (one call, so one retry sends to all). Any error rejects (throttling, 5xx, a refused message), so the invocation
 * fails and is retried; the idempotency record lets that retry send once. The default client reads
 * AWS_ENDPOINT_URL_SESV2 like any SDK v3 client, which points it at a stand-in.
 */
export const sesEmailSender = (client?: Pick<SESv2Client, 'send'>): EmailSender => async ({ from, to, subject, text, html }) => {
  // Loaded on first use: the change function, which shares the bundle, never evaluates the SES SDK.
  const { SESv2Client, SendEmailCommand } = await import('@aws-sdk/client-sesv2');
  client ??= new SESv2Client({ maxAttempts: 3 });
  await client.send(new SendEmailCommand({
    FromEmailAddress: from,
    Destination: { ToAddresses: to },
    Content: {
      Simple: {
        Subject: { Data: subject, Charset: 'UTF-8' },
        Body: { Text: { Data: text, Charset: 'UTF-8' }, Html: { Data: html, Charset: 'UTF-8' } },
      },
    },
  }));
};
