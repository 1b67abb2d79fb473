/**
 * Webhook POSTs with node:http(s), connected to the address the URL guard checked (the
 * `lookup` answers only that address, so the name is not resolved again: no DNS rebinding),
 * TLS still verified against the URL's host name. Redirects are not followed; the answer's
 * body is read and dropped (at most 64 KiB).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { WebhookTransport } from '../core/notification-ports.js';

const MAX_ANSWER_BYTES = 64 * 1024;

export const nodeWebhookTransport: WebhookTransport = {
  post({ url, address, headers, body, timeoutMs }) {
    const family = isIP(address);
    const lookup: LookupFunction = (_host, options, callback) => {
      if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
      else callback(null, address, family);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(
        url,
        { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'evidence-requests-webhooks/1' }, lookup, timeout: timeoutMs },
        (res) => {
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_ANSWER_BYTES) res.destroy();
          });
          res.on('close', () => resolve({ statusCode: res.statusCode ?? 0 }));
          res.on('error', () => resolve({ statusCode: res.statusCode ?? 0 }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  },
};
