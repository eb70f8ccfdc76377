import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import {
  createTestCa,
  issueCertificate,
  selfSignedCertificate,
  SmtpSink,
  type PemPair,
  type SinkOptions,
  type TestCa,
} from '@sealpost/test-peers';
import { FakeClock } from './testing/fake-clock';
import { ScriptedSmtpServer } from './testing/scripted-smtp-server';
import { TlsProbeService } from './tls-probe.service';

const MX = 'mx.example.test';
const DAY_MS = 24 * 3600 * 1000;

describe('TlsProbeService', () => {
  let ca: TestCa;
  let mxCert: PemPair;
  let clock: FakeClock;
  let service: TlsProbeService;
  const closers: (() => Promise<void>)[] = [];

  const trusted = () => ({ servername: MX, extraCaPem: [ca.certPem] });

  async function sink(tls?: SinkOptions['tls']): Promise<SmtpSink> {
    const started = await SmtpSink.start({ tls });
    closers.push(() => started.close());
    return started;
  }

  async function scripted(
    options: Parameters<typeof ScriptedSmtpServer.start>[0],
  ): Promise<ScriptedSmtpServer> {
    const started = await ScriptedSmtpServer.start(options);
    closers.push(() => started.close());
    return started;
  }

  beforeAll(() => {
    ca = createTestCa();
    mxCert = issueCertificate(ca, { commonName: MX, dnsNames: [MX] });
  });

  beforeEach(() => {
    clock = new FakeClock();
    service = new TlsProbeService(clock, {
      connectTimeoutMs: 2_000,
      replyTimeoutMs: 2_000,
      handshakeTimeoutMs: 2_000,
      ehloName: 'probe.sealpost.test',
    });
  });

  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  it('verifies TLS 1.3 and the certificate of a server whose CA is trusted', async () => {
    const server = await sink({ ...mxCert });

    const result = await service.probe('127.0.0.1', server.port, trusted());

    expect(result.failure).toBeUndefined();
    expect(result).toMatchObject({
      starttls: true,
      certificateVerified: true,
      tlsVersion: 'TLSv1.3',
      requireTls: false,
      servername: MX,
    });
    expect(result.cipher).toEqual(expect.any(String));
  });

  it('accepts a server that offers at most TLS 1.2', async () => {
    const server = await sink({ ...mxCert, maxVersion: 'TLSv1.2' });

    const result = await service.probe('127.0.0.1', server.port, trusted());

    expect(result.failure).toBeUndefined();
    expect(result.tlsVersion).toBe('TLSv1.2');
    expect(result.certificateVerified).toBe(true);
  });

  it('reports no_starttls for a server that does not offer STARTTLS', async () => {
    const server = await sink();

    const result = await service.probe('127.0.0.1', server.port, trusted());

    expect(result.starttls).toBe(false);
    expect(result.certificateVerified).toBe(false);
    expect(result.failure).toEqual({
      code: 'no_starttls',
      reason: 'mx.example.test offered no STARTTLS',
    });
  });

  it('reports certificate_expired for an expired certificate', async () => {
    const expired = issueCertificate(ca, {
      commonName: MX,
      dnsNames: [MX],
      notBefore: new Date(Date.now() - 60 * DAY_MS),
      notAfter: new Date(Date.now() - DAY_MS),
    });
    const server = await sink({ ...expired });

    const result = await service.probe('127.0.0.1', server.port, trusted());

    expect(result.starttls).toBe(true);
    expect(result.failure).toEqual({
      code: 'certificate_expired',
      reason: 'mx.example.test presented an expired certificate',
    });
  });

  it('reports certificate_self_signed for a self-signed certificate', async () => {
    const server = await sink({ ...selfSignedCertificate({ commonName: MX, dnsNames: [MX] }) });

    const result = await service.probe('127.0.0.1', server.port, trusted());

    expect(result.failure?.code).toBe('certificate_self_signed');
    expect(result.certificateVerified).toBe(false);
  });

  it('reports certificate_untrusted for a certificate from a CA that is not trusted', async () => {
    const server = await sink({ ...mxCert });

    const result = await service.probe('127.0.0.1', server.port, { servername: MX });

    expect(result.failure?.code).toBe('certificate_untrusted');
    expect(result.failure?.reason).toMatch(/^mx\.example\.test presented a certificate/);
  });

  it('reports certificate_name_mismatch when the certificate is for another name', async () => {
    const server = await sink({ ...mxCert });

    const result = await service.probe('127.0.0.1', server.port, {
      servername: 'mx2.example.test',
      extraCaPem: [ca.certPem],
    });

    expect(result.failure).toEqual({
      code: 'certificate_name_mismatch',
      reason: 'mx2.example.test presented a certificate for another name',
    });
  });

  it('reports tls_version for a server that offers only TLS 1.0', async () => {
    const server = await sink({
      ...mxCert,
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    });

    const result = await service.probe('127.0.0.1', server.port, trusted());

    expect(result.starttls).toBe(true);
    expect(result.failure).toEqual({
      code: 'tls_version',
      reason: 'mx.example.test offers no TLS version of 1.2 or later',
    });
  });

  it('reports connect_failed for a port nobody listens on', async () => {
    const port = await unusedPort();

    const result = await service.probe('127.0.0.1', port, trusted());

    expect(result.failure?.code).toBe('connect_failed');
    expect(result.failure?.reason).toBe(
      `could not connect to mx.example.test port ${port} (ECONNREFUSED)`,
    );
  });

  it('gives up with timeout on a server that accepts but never greets', async () => {
    const silent = await silentServer();
    closers.push(() => silent.close());
    const quick = new TlsProbeService(clock, { replyTimeoutMs: 300, ehloName: 'probe.test' });
    const started = Date.now();

    const result = await quick.probe('127.0.0.1', silent.port, trusted());

    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result.failure).toEqual({
      code: 'timeout',
      reason: 'mx.example.test did not answer the greeting in 300 ms',
    });
  });

  it('reports REQUIRETLS when the server advertises it after STARTTLS', async () => {
    const server = await scripted({ tls: mxCert, tlsExtensions: ['SIZE 1000', 'REQUIRETLS'] });

    const result = await service.probe('127.0.0.1', server.port, trusted());

    expect(result.failure).toBeUndefined();
    expect(result.requireTls).toBe(true);
  });

  it('ignores REQUIRETLS advertised only before STARTTLS', async () => {
    const server = await scripted({ tls: mxCert, extensions: ['REQUIRETLS'] });

    const result = await service.probe('127.0.0.1', server.port, trusted());

    expect(result.failure).toBeUndefined();
    expect(result.requireTls).toBe(false);
  });

  it('reads multi-line replies that arrive a byte at a time', async () => {
    const server = await scripted({ tls: mxCert, tlsExtensions: ['REQUIRETLS'], dribble: true });

    const result = await service.probe('127.0.0.1', server.port, trusted());

    expect(result.failure).toBeUndefined();
    expect(result.requireTls).toBe(true);
  });

  it('reports no_starttls when the server refuses the STARTTLS command', async () => {
    const server = await scripted({ tls: mxCert, starttlsReply: '454 TLS not available' });

    const result = await service.probe('127.0.0.1', server.port, trusted());

    expect(result.starttls).toBe(true);
    expect(result.failure).toEqual({
      code: 'no_starttls',
      reason: 'mx.example.test refused STARTTLS (454)',
    });
  });

  it('refuses a session with plain-text bytes injected behind the STARTTLS reply', async () => {
    const server = await scripted({ tls: mxCert, afterStarttls: '250 injected\r\n' });

    const result = await service.probe('127.0.0.1', server.port, trusted());

    expect(result.failure).toEqual({
      code: 'connect_failed',
      reason: 'mx.example.test sent data before the TLS handshake',
    });
  });

  it('reuses a result within its TTL and probes again once the TTL has passed', async () => {
    const server = await scripted({ tls: mxCert });

    const first = await service.probe('127.0.0.1', server.port, trusted());
    clock.advance(9 * 60_000);
    const second = await service.probe('127.0.0.1', server.port, trusted());
    expect(second).toBe(first);
    expect(server.connections).toBe(1);

    clock.advance(2 * 60_000);
    const third = await service.probe('127.0.0.1', server.port, trusted());
    expect(third).not.toBe(first);
    expect(third.failure).toBeUndefined();
    expect(server.connections).toBe(2);
  });

  it('keeps a failed result for a shorter time than a successful one', async () => {
    const server = await scripted({});

    await service.probe('127.0.0.1', server.port, trusted());
    clock.advance(60_000);
    await service.probe('127.0.0.1', server.port, trusted());
    expect(server.connections).toBe(1);

    clock.advance(2 * 60_000);
    const again = await service.probe('127.0.0.1', server.port, trusted());
    expect(again.failure?.code).toBe('no_starttls');
    expect(server.connections).toBe(2);
  });

  it('shares one session among concurrent probes of the same server', async () => {
    const server = await scripted({ tls: mxCert });

    const results = await Promise.all(
      [1, 2, 3].map(() => service.probe('127.0.0.1', server.port, trusted())),
    );

    expect(server.connections).toBe(1);
    expect(new Set(results).size).toBe(1);
  });

  it('probes again when the trusted CA list differs', async () => {
    const server = await scripted({ tls: mxCert });

    const untrusted = await service.probe('127.0.0.1', server.port, { servername: MX });
    const verified = await service.probe('127.0.0.1', server.port, trusted());

    expect(untrusted.failure?.code).toBe('certificate_untrusted');
    expect(verified.failure).toBeUndefined();
    expect(server.connections).toBe(2);
  });

  it('rejects a port outside 1 to 65535', () => {
    expect(() => service.probe('127.0.0.1', 0)).toThrow(RangeError);
  });
});

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    socket.on('error', () => undefined);
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      sockets.forEach((socket) => socket.destroy());
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
