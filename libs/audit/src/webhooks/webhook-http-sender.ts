import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type LookupFunction } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { type ResolvedAddress } from './webhook-address-resolver.port';

export type SendResult =
  | { kind: 'response'; statusCode: number; headers: IncomingHttpHeaders }
  | { kind: 'error'; error: 'timeout' | 'connection_failed' };

export interface WebhookRequest {
  url: URL;
  /** Checked by WebhookUrlGuard; the connection goes to the first, never to a fresh lookup. */
  addresses: readonly ResolvedAddress[];
  headers: Record<string, string>;
  body: string;
}

// The receiver's answer is not stored or logged; reading a little of it lets the connection
// close cleanly without letting a hostile receiver stream gigabytes at us.
const MAX_RESPONSE_BYTES = 64 * 1024;

/** One POST, bounded in time, to an address chosen before the request (no redirects). */
@Injectable()
export class WebhookHttpSender {
  constructor(@Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig) {}

  send(webhook: WebhookRequest): Promise<SendResult> {
    const pinned = webhook.addresses[0];
    const lookup: LookupFunction = (_hostname, options, callback) => {
      if (options.all) {
        (callback as unknown as (err: null, all: ResolvedAddress[]) => void)(null, [pinned]);
      } else {
        callback(null, pinned.address, pinned.family);
      }
    };
    const request = webhook.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const finish = (result: SendResult) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          resolve(result);
        }
      };
      const outgoing = request(
        webhook.url,
        {
          method: 'POST',
          lookup,
          agent: false,
          headers: {
            ...webhook.headers,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(webhook.body)),
            'user-agent': 'Sealpost-Webhooks/1',
          },
        },
        (response) => {
          let received = 0;
          response.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (received > MAX_RESPONSE_BYTES) {
              response.destroy();
            }
          });
          const done = () =>
            finish({
              kind: 'response',
              statusCode: response.statusCode ?? 0,
              headers: response.headers,
            });
          response.on('end', done);
          response.on('close', done);
          response.on('error', done);
        },
      );
      const timer = setTimeout(() => {
        finish({ kind: 'error', error: 'timeout' });
        outgoing.destroy();
      }, this.config.webhooks.timeoutMs);
      outgoing.on('error', () => finish({ kind: 'error', error: 'connection_failed' }));
      outgoing.end(webhook.body);
    });
  }
}
