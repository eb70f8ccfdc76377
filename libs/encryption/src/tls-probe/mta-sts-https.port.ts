import { request } from 'node:https';
import { rootCertificates } from 'node:tls';
import { Inject, Injectable, Optional } from '@nestjs/common';

export interface MtaStsPolicyResponse {
  status: number;
  contentType: string;
  body: string;
}

/** The policy fetch of MTA-STS behind a port, so tests point it at a loopback server. */
export abstract class MtaStsHttpsPort {
  /**
   * GETs `https://mta-sts.<domain>/.well-known/mta-sts.txt` with a verified certificate and
   * without following redirects (RFC 8461 section 3.3); rejects on network or TLS failure.
   */
  abstract fetchPolicy(domain: string): Promise<MtaStsPolicyResponse>;
}

export interface MtaStsHttpsOptions {
  /** PEM certificates trusted in addition to Node's bundled roots. */
  extraCaPem?: string[];
  timeoutMs?: number;
}

export const MTA_STS_HTTPS_OPTIONS = Symbol('MTA_STS_HTTPS_OPTIONS');

// RFC 8461 section 3.3 suggests about a minute; we hold a delivery decision meanwhile, and a
// failed fetch only falls back to the cached policy, so half of that is enough.
const DEFAULT_TIMEOUT_MS = 30_000;
// RFC 8461 section 3.3 lets senders cap the policy at 64 KiB; real policies are a few lines.
const MAX_BODY_BYTES = 64 * 1024;
const POLICY_PATH = '/.well-known/mta-sts.txt';

@Injectable()
export class NodeMtaStsHttps extends MtaStsHttpsPort {
  private readonly ca: string[] | undefined;
  private readonly timeoutMs: number;

  constructor(@Optional() @Inject(MTA_STS_HTTPS_OPTIONS) options: MtaStsHttpsOptions = {}) {
    super();
    const extra = options.extraCaPem ?? [];
    this.ca = extra.length ? [...rootCertificates, ...extra] : undefined;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  fetchPolicy(domain: string): Promise<MtaStsPolicyResponse> {
    const policyHost = `mta-sts.${domain}`;
    const { host, port } = this.endpoint(policyHost);
    return new Promise<MtaStsPolicyResponse>((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | null, response?: MtaStsPolicyResponse) => {
        if (settled) {
          return;
        }
        settled = true;
        clearTimeout(timer);
        if (response) {
          resolve(response);
        } else {
          req.destroy();
          reject(error ?? new Error(`${policyHost} closed the connection`));
        }
      };
      const req = request({
        host,
        port,
        path: POLICY_PATH,
        method: 'GET',
        servername: policyHost,
        headers: { host: policyHost, accept: 'text/plain' },
        ca: this.ca,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
        // A fresh connection each time: fetches are rare and a pooled socket could outlive
        // the trust settings it was made with.
        agent: false,
      });
      const timer = setTimeout(() => {
        finish(Object.assign(new Error(`${policyHost} timed out`), { code: 'ETIMEDOUT' }));
      }, this.timeoutMs);
      req.on('error', (error) => finish(error));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            finish(Object.assign(new Error(`${policyHost} sent too much`), { code: 'E2BIG' }));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (error) => finish(error));
        res.on('close', () => finish(null));
        res.on('end', () => {
          finish(null, {
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'] ?? '',
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
      req.end();
    });
  }

  /** Where the policy host is reached; a test subclass maps it to a loopback server. */
  protected endpoint(policyHost: string): { host: string; port: number } {
    return { host: policyHost, port: 443 };
  }
}
