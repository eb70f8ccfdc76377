import { Agent, request as httpRequest } from 'node:http';

export interface BenchMail {
  to: string;
  subject: string;
  text: string;
}

export const BODY_BYTES = 10 * 1024;
export const FROM = 'Bench <bench@sealpost.test>';
const REQUEST_TIMEOUT_MS = 60_000;

const BODY_LINE = 'The quick brown fox jumps over the lazy dog; results are ready. 0123456789\n';
const BODY = BODY_LINE.repeat(Math.ceil(BODY_BYTES / BODY_LINE.length));

/** Message `index` to `to`: one recipient, a plain-text body of exactly BODY_BYTES. */
export function benchMail(index: number, to: string): BenchMail {
  const first = `Bench message ${index}\n`;
  return {
    to,
    subject: `Bench message ${index}`,
    text: first + BODY.slice(0, BODY_BYTES - first.length),
  };
}

/** POST /v1/messages with one recipient; throws unless the api answers 202. */
export async function postMessage(apiUrl: string, token: string, mail: BenchMail): Promise<void> {
  const body = { from: FROM, to: [mail.to], subject: mail.subject, text: mail.text };
  const reply = await request(apiUrl, token, 'POST', '/v1/messages', body);
  if (reply.status !== 202) {
    throw new Error(`POST /v1/messages answered ${reply.status}: ${reply.text.slice(0, 300)}`);
  }
}

/** One JSON call to the api; throws with the status and the start of the body unless 2xx. */
export async function callApi<T = unknown>(
  apiUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const reply = await request(apiUrl, token, method, path, body);
  if (reply.status < 200 || reply.status > 299) {
    throw new Error(`${method} ${path} answered ${reply.status}: ${reply.text.slice(0, 300)}`);
  }
  return (reply.text ? JSON.parse(reply.text) : undefined) as T;
}

// node:http with a keep-alive agent rather than fetch: the load generator shares the cores
// with what it measures, and undici's fetch costs it several times more CPU per request.
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function request(
  apiUrl: string,
  token: string,
  method: string,
  path: string,
  body: unknown,
): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string | number> = { authorization: `Bearer ${token}` };
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = payload.length;
  }
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      new URL(path, apiUrl),
      { method, headers, agent, timeout: REQUEST_TIMEOUT_MS },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
        );
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${method} ${path} timed out`)));
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}
