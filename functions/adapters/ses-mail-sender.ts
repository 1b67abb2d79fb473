/**
 * E-mail through Amazon SES (API v2): one SendEmail per message, from the stage's verified
 * identity, through its configuration set (reputation metrics, bounce and complaint
 * suppression). Throttling and outages surface as errors: the notifier's batch is retried.
 */
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { NotificationMail } from '../core/use-cases/notifications.js';

export interface SesMailSettings {
  /** The verified sender, e.g. `no-reply@example.com`. */
  readonly from: string;
  readonly configurationSet?: string | undefined;
}

export class SesMailSender {
  constructor(
    private readonly ses: SESv2Client,
    private readonly settings: SesMailSettings,
  ) {}

  async send(mail: NotificationMail): Promise<void> {
    await this.ses.send(
      new SendEmailCommand({
        FromEmailAddress: this.settings.from,
        Destination: { ToAddresses: [mail.to] },
        Content: {
          Simple: {
            Subject: { Data: mail.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: mail.text, Charset: 'UTF-8' }, ...(mail.html !== undefined && { Html: { Data: mail.html, Charset: 'UTF-8' } }) },
          },
        },
        ...(this.settings.configurationSet && { ConfigurationSetName: this.settings.configurationSet }),
      }),
    );
  }
}
