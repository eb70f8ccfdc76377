import { request } from 'node:https';
import { rootCertificates } from 'node:tls';

export interface HttpsCall {
  method: string;
  headers: Record<string, string>;
  body?: string;
}

// A Graph or token call that has not finished in 30 s is treated as no answer; Graph's own
// request timeout is 100 s, but a job should not hold a worker that long.
const REQUEST_TIMEOUT_MS = 30_000;
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * One HTTPS request answered as a fetch Response, trusting the public roots plus `extraCa`
 * (installs behind a TLS-inspecting proxy, and the tests' loopback Graph). Node's fetch
 * cannot take extra CAs without the undici package, hence node:https.
 */
export function httpsRequest(url: string, call: HttpsCall, extraCa: string[]): Promise<Response> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: call.method,
        headers: call.headers,
        ca: extraCa.length ? [...rootCertificates, ...extraCa] : undefined,
        timeout: REQUEST_TIMEOUT_MS,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(incoming.headers)) {
            for (const one of Array.isArray(value) ? value : [value ?? '']) {
              headers.append(name, one);
            }
          }
          const status = incoming.statusCode ?? 502;
          const body = NULL_BODY_STATUSES.has(status) ? null : Buffer.concat(chunks);
          resolve(new Response(body, { status, headers }));
        });
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('request timed out')));
    outgoing.on('error', reject);
    outgoing.end(call.body);
  });
}
