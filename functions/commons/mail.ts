import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { MailMessage, MailTransport } from '#domain/notices/notice-mail';
import { boundedCalls } from './call-bounds';
import { traced } from './client-tracing';
import { readConfig } from './config';
import { logger } from './logger';

/** SES v2 SendEmail with Simple content (SES builds the MIME message and signs it with the identity's DKIM key). */
export function sesTransport(client: SESv2Client, from: string, configurationSet?: string): MailTransport {
  return {
    async send(message) {
      await client.send(
        new SendEmailCommand({
          FromEmailAddress: from,
          Destination: { ToAddresses: [message.to] },
          ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: message.text, Charset: 'UTF-8' }, Html: { Data: message.html, Charset: 'UTF-8' } },
            },
          },
        }),
      );
    },
  };
}

/**
 * Locally mail is not sent: each message becomes one RFC 5322 file under `directory`, named by
 * the time so a listing sorts in sending order, written to a temporary name and renamed so a
 * reader never sees half a message; the log line names its subject and file.
 */
export function fileTransport(directory: string, from: string): MailTransport {
  return {
    async send(message) {
      const now = new Date();
      const id = randomUUID();
      mkdirSync(directory, { recursive: true });
      const name = `${now.toISOString().replace(/[:.]/g, '-')}-${id.slice(0, 8)}.eml`;
      const partial = join(directory, `.${name}.partial`);
      writeFileSync(partial, rfc5322Message(message, from, now, id));
      renameSync(partial, join(directory, name));
      // Through the logger, with the request id (the address stays out of the log, as everywhere).
      logger.info('e-mail written to a file, not sent (local)', { subject: message.subject, file: name });
    },
  };
}

/** Without a sender address (the default) no e-mail exists: notices still reach the trail and the topic. */
export function mailTransportFromEnvironment(): MailTransport | undefined {
  const { AWS_REGION, MAIL_FROM_ADDRESS, MAIL_CONFIGURATION_SET, LOCAL_MAIL_DIR } = readConfig(
    'AWS_REGION',
    'MAIL_FROM_ADDRESS',
    'MAIL_CONFIGURATION_SET',
    'LOCAL_MAIL_DIR',
  );
  if (LOCAL_MAIL_DIR) return fileTransport(LOCAL_MAIL_DIR, MAIL_FROM_ADDRESS ?? 'docdrop@localhost');
  if (!MAIL_FROM_ADDRESS) {
    logger.info('no sender address (docdrop:mailFromAddress): notices go to the trail and the topic, not by e-mail');
    return undefined;
  }
  const client = traced(new SESv2Client({ region: AWS_REGION, ...boundedCalls() }));
  return sesTransport(client, MAIL_FROM_ADDRESS, MAIL_CONFIGURATION_SET);
}

const CRLF = '\r\n';

/** RFC 2047 encoded-word for a header with anything beyond printable ASCII. */
const headerText = (text: string): string =>
  /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;

/** Quoted-printable (RFC 2045): lines of at most 76 characters, CRLF line ends, every non-ASCII byte escaped. */
export function quotedPrintable(text: string): string {
  return text
    .replace(/\r?\n/g, '\n')
    .split('\n')
    .map((line) => {
      let encoded = '';
      for (const byte of Buffer.from(line, 'utf8')) {
        const literal = (byte >= 33 && byte <= 126 && byte !== 61) || byte === 32 || byte === 9;
        encoded += literal ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      }
      // A space or tab at a line's end would be lost in transit.
      encoded = encoded.replace(
        /[ \t]$/,
        (char) => `=${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
      );
      const pieces: string[] = [];
      while (encoded.length > 76) {
        // A soft break never splits an =XX escape.
        let cut = 75;
        const lastEscape = encoded.lastIndexOf('=', cut);
        if (lastEscape > cut - 3) cut = lastEscape;
        pieces.push(`${encoded.slice(0, cut)}=`);
        encoded = encoded.slice(cut);
      }
      pieces.push(encoded);
      return pieces.join(CRLF);
    })
    .join(CRLF);
}

/** The message as SES would send it: headers, then a multipart/alternative of the text and the HTML. */
export function rfc5322Message(message: MailMessage, from: string, date: Date, id: string): string {
  const boundary = `=_docdrop_${id}`;
  const part = (type: string, body: string) =>
    [
      `--${boundary}`,
      `Content-Type: ${type}; charset=UTF-8`,
      'Content-Transfer-Encoding: quoted-printable',
      '',
      quotedPrintable(body),
    ].join(CRLF);
  return [
    `From: ${from}`,
    `To: ${message.to}`,
    `Subject: ${headerText(message.subject)}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${id}@docdrop.local>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    part('text/plain', message.text),
    part('text/html', message.html),
    `--${boundary}--`,
    '',
  ].join(CRLF);
}
