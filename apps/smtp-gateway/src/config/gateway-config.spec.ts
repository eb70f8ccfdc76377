import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BootError, type Env, loadConfig } from '@sealpost/core';
import { loadGatewayConfig } from './gateway-config';

describe('loadGatewayConfig', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sealpost-gateway-config-'));
  const masterKey = randomBytes(32).toString('base64');
  const shared = (env: Env = {}) =>
    loadConfig({ SEALPOST_MASTER_KEY: masterKey, SEALPOST_DATA_DIR: dataDir, ...env });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const problemOf = (run: () => unknown): string => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(BootError);
      return (error as Error).message;
    }
    throw new Error('no BootError');
  };

  it('defaults to port 2587 and a self-signed certificate kept in the data directory', () => {
    const first = loadGatewayConfig({}, shared());
    const second = loadGatewayConfig({}, shared());

    expect(first).toMatchObject({ port: 2587, host: '0.0.0.0', requireTls: true });
    expect(first.tls.source).toBe('generated');
    expect(second.tls.certPem).toBe(first.tls.certPem);
  });

  it('names the installation the same for every process with the same master key', () => {
    const other = shared({ SEALPOST_MASTER_KEY: randomBytes(32).toString('base64') });

    expect(loadGatewayConfig({}, shared()).installationId).toMatch(/^[0-9a-f]{24}$/);
    expect(loadGatewayConfig({}, shared()).installationId).toBe(
      loadGatewayConfig({}, shared()).installationId,
    );
    expect(loadGatewayConfig({}, other).installationId).not.toBe(
      loadGatewayConfig({}, shared()).installationId,
    );
  });

  it('trusts PROXY headers only from the listed balancer addresses', () => {
    const env = { SEALPOST_GATEWAY_PROXY_FROM: '10.0.0.5, fd00::5' };

    expect(loadGatewayConfig({}, shared()).proxyFrom).toEqual([]);
    expect(loadGatewayConfig(env, shared()).proxyFrom).toEqual(['10.0.0.5', 'fd00::5']);
    for (const bad of ['*', '10.0.0.0/8', 'lb.example']) {
      expect(
        problemOf(() => loadGatewayConfig({ SEALPOST_GATEWAY_PROXY_FROM: bad }, shared())),
      ).toMatch(/SEALPOST_GATEWAY_PROXY_FROM must list the IP addresses of your load balancers/);
    }
  });

  it('requires a certificate and key in production', () => {
    const message = problemOf(() => loadGatewayConfig({}, shared({ NODE_ENV: 'production' })));

    expect(message).toMatch(/SEALPOST_GATEWAY_TLS_CERT and SEALPOST_GATEWAY_TLS_KEY are required/);
  });

  it('reads the certificate files, and names every bad variable in one line', () => {
    const cert = join(dataDir, 'not-a-cert.pem');
    writeFileSync(cert, 'hello');

    const message = problemOf(() =>
      loadGatewayConfig(
        {
          SEALPOST_GATEWAY_TLS_CERT: cert,
          SEALPOST_GATEWAY_TLS_KEY: join(dataDir, 'missing.key'),
          SEALPOST_GATEWAY_PORT: '70000',
          SEALPOST_GATEWAY_REQUIRE_TLS: 'maybe',
        },
        shared(),
      ),
    );

    expect(message).toMatch(/SEALPOST_GATEWAY_PORT must be a whole number/);
    expect(message).toMatch(/SEALPOST_GATEWAY_REQUIRE_TLS must be on or off/);
    expect(message).toMatch(/SEALPOST_GATEWAY_TLS_CERT names .* no PEM/);
    expect(message).toMatch(/SEALPOST_GATEWAY_TLS_KEY names .* cannot be read \(ENOENT\)/);
  });

  it('allows the hold-reply test hook only under NODE_ENV=test', () => {
    const hook = { SEALPOST_GATEWAY_TEST_HOLD_REPLY: 'on' };

    expect(loadGatewayConfig(hook, shared({ NODE_ENV: 'test' })).holdReplyAfterAccept).toBe(true);
    expect(problemOf(() => loadGatewayConfig(hook, shared()))).toMatch(/only NODE_ENV=test/);
  });
});
