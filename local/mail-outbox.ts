/**
 * The local runtime's outgoing mail: one RFC 5322 `.eml` file per message under
 * `.local/mail/`, openable in any mail client, and listed by `GET /_local/mail`. In AWS the
 * same MailSender port is SES.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MailSender, OutgoingMail } from '../functions/core/ports.js';

export const LOCAL_MAIL_FROM = 'Evidence requests <no-reply@evidence-requests.localhost>';

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  /** ISO 8601 UTC. */
  readonly date: string;
  readonly file: string;
  readonly text: string;
}

/** RFC 2047 encoded-word for a header value that is not plain ASCII. */
function headerValue(value: string): string {
  const clean = value.replace(/[\r\n]+/g, ' ');
  return /^[\x20-\x7e]*$/.test(clean) ? clean : `=?UTF-8?B?${Buffer.from(clean, 'utf8').toString('base64')}?=`;
}

function decodeHeader(value: string): string {
  return value.replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=/gi, (_m, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
}

/** Body lines as base64 of at most 76 characters (RFC 2045), so any text survives intact. */
const base64Lines = (text: string) => (Buffer.from(text, 'utf8').toString('base64').match(/.{1,76}/g) ?? ['']).join('\r\n');

/** An RFC 5322 message: plain text, or multipart/alternative with the HTML part. */
export function formatMessage(mail: OutgoingMail, date: Date, messageId: string, from = LOCAL_MAIL_FROM): string {
  const headers = [
    `From: ${from}`,
    `To: ${headerValue(mail.to)}`,
    `Subject: ${headerValue(mail.subject)}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${messageId}>`,
    'MIME-Version: 1.0',
  ];
  const part = (type: string, body: string) => [`Content-Type: ${type}; charset=utf-8`, 'Content-Transfer-Encoding: base64', '', base64Lines(body)].join('\r\n');
  if (mail.html === undefined) return [...headers, part('text/plain', mail.text), ''].join('\r\n');
  const boundary = `=_${randomBytes(12).toString('hex')}`;
  return [
    ...headers,
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    part('text/plain', mail.text),
    `--${boundary}`,
    part('text/html', mail.html),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

/** The headers and the plain-text part of a message this module wrote. */
export function parseMessage(raw: string): { headers: Record<string, string>; text: string } {
  const [head = '', ...rest] = raw.split('\r\n\r\n');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = rest.join('\r\n\r\n');
  const plain = /Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n([A-Za-z0-9+/=\r\n]*)/.exec(
    headers['content-type']?.startsWith('text/plain') ? `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${body}` : body,
  );
  return { headers, text: plain ? Buffer.from(plain[1]!.replace(/\r\n/g, ''), 'base64').toString('utf8') : '' };
}

export interface MailOutbox extends MailSender {
  readonly dir: string;
  /** Every message, oldest first. */
  list(): Promise<MailMessage[]>;
}

export function createMailOutbox(dir: string, now: () => Date = () => new Date()): MailOutbox {
  return {
    dir,
    async send(mail) {
      const date = now();
      const id = `${date.getTime().toString().padStart(14, '0')}-${randomBytes(6).toString('hex')}`;
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = join(dir, `${id}.eml`);
      const temp = `${file}.tmp`;
      await writeFile(temp, formatMessage(mail, date, `${id}@evidence-requests.localhost`), { mode: 0o600 });
      await rename(temp, file);
    },
    async list() {
      let names: string[];
      try {
        names = (await readdir(dir)).filter((n) => n.endsWith('.eml')).sort();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      return Promise.all(
        names.map(async (file) => {
          const { headers, text } = parseMessage(await readFile(join(dir, file), 'utf8'));
          return {
            to: decodeHeader(headers.to ?? ''),
            subject: decodeHeader(headers.subject ?? ''),
            date: new Date(headers.date ?? 0).toISOString(),
            file,
            text,
          };
        }),
      );
    },
  };
}
