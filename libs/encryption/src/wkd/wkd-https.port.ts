import { request } from 'node:https';
import { rootCertificates } from 'node:tls';
import { Inject, Injectable, Optional } from '@nestjs/common';

export interface WkdResponse {
  status: number;
  body: Buffer;
}

/** The HTTPS fetch of a Web Key Directory behind a port, so tests use a loopback server. */
export abstract class WkdHttpsPort {
  /**
   * GETs `url` with a verified certificate, without following redirects; rejects on network
   * or TLS failure, on timeout, and on a body too large to be a key.
   */
  abstract fetch(url: URL): Promise<WkdResponse>;
}

export interface WkdHttpsOptions {
  /** PEM certificates trusted in addition to Node's bundled roots. */
  extraCaPem?: string[];
  timeoutMs?: number;
}

export const WKD_HTTPS_OPTIONS = Symbol('WKD_HTTPS_OPTIONS');

// Delivery waits for the answer; a directory that takes longer is treated as absent.
const DEFAULT_TIMEOUT_MS = 5_000;
// The same bound as a key upload: real keys, with certifications, stay far below it.
const MAX_BODY_BYTES = 512 * 1024;

@Injectable()
export class NodeWkdHttps extends WkdHttpsPort {
  private readonly ca: string[] | undefined;
  private readonly timeoutMs: number;

  constructor(@Optional() @Inject(WKD_HTTPS_OPTIONS) options: WkdHttpsOptions = {}) {
    super();
    const extra = options.extraCaPem ?? [];
    this.ca = extra.length ? [...rootCertificates, ...extra] : undefined;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async fetch(url: URL): Promise<WkdResponse> {
    const { host, port } = await this.endpoint(url.hostname);
    return new Promise<WkdResponse>((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | null, response?: WkdResponse) => {
        if (settled) {
          return;
        }
        settled = true;
        clearTimeout(timer);
        if (response) {
          resolve(response);
        } else {
          req.destroy();
          reject(error ?? new Error(`${url.hostname} closed the connection`));
        }
      };
      const req = request({
        host,
        port,
        path: url.pathname + url.search,
        method: 'GET',
        servername: url.hostname,
        headers: { host: url.hostname, accept: 'application/octet-stream' },
        ca: this.ca,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
        // Lookups are rare and cached; a pooled socket could outlive its trust settings.
        agent: false,
      });
      const timer = setTimeout(() => {
        finish(Object.assign(new Error(`${url.hostname} timed out`), { code: 'ETIMEDOUT' }));
      }, this.timeoutMs);
      req.on('error', (error) => finish(error));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            finish(Object.assign(new Error(`${url.hostname} sent too much`), { code: 'E2BIG' }));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (error) => finish(error));
        res.on('close', () => finish(null));
        res.on('end', () => {
          finish(null, { status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
        });
      });
      req.end();
    });
  }

  /** Where a host is reached; a test subclass maps names to a loopback server. */
  protected endpoint(hostname: string): Promise<{ host: string; port: number }> {
    return Promise.resolve({ host: hostname, port: 443 });
  }
}
