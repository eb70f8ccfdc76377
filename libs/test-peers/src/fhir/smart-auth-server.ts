import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export interface SmartClientRegistration {
  clientId: string;
  /** Public keys inline (a JWKS document), or the URL the server fetches them from. */
  jwks?: { keys: unknown[] };
  jwksUri?: string;
}

export interface SmartAuthServerOptions {
  clients: SmartClientRegistration[];
  scope?: string;
  tokenTtlSeconds?: number;
}

export interface SmartAuthStats {
  tokensIssued: number;
  assertionsRefused: number;
}

/** oidc-provider in a child process, answering on loopback. */
export interface SmartAuthServer {
  issuer: string;
  tokenEndpoint: string;
  /** Whether the server issued `token` and it is still active (RFC 7662 introspection). */
  isActive(token: string): Promise<boolean>;
  stats(): Promise<SmartAuthStats>;
  close(): Promise<void>;
}

export async function startSmartAuthServer(
  options: SmartAuthServerOptions,
): Promise<SmartAuthServer> {
  const introspectionSecret = randomBytes(24).toString('base64url');
  const settings = {
    clients: options.clients,
    scope: options.scope ?? 'system/Communication.write system/Communication.read',
    tokenTtlSeconds: options.tokenTtlSeconds,
    introspectionSecret,
  };
  const child = spawn(process.execPath, [join(__dirname, 'oidc-provider-process.mjs')], {
    env: { ...process.env, SMART_AUTH_SETTINGS: JSON.stringify(settings) },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const { issuer, tokenEndpoint } = await firstLine(child);
  const basic = Buffer.from(`fhir-server:${introspectionSecret}`).toString('base64');

  return {
    issuer,
    tokenEndpoint,
    isActive: async (token) => {
      const response = await fetch(`${tokenEndpoint}/introspection`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ token }),
      });
      const body = (await response.json()) as { active?: boolean };
      return body.active === true;
    },
    stats: async () => (await (await fetch(`${issuer}/test/stats`)).json()) as SmartAuthStats,
    close: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill();
        await exited;
      }
    },
  };
}

function firstLine(child: ChildProcess): Promise<{ issuer: string; tokenEndpoint: string }> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.once('exit', (code) => reject(new Error(`SMART auth server exited (${code})`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const end = buffered.indexOf('\n');
      if (end >= 0) {
        resolve(JSON.parse(buffered.slice(0, end)) as { issuer: string; tokenEndpoint: string });
      }
    });
  });
}
