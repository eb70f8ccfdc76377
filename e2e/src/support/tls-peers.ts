import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestCa,
  issueCertificate,
  selfSignedCertificate,
  SmtpSink,
  type TestCa,
} from '@sealpost/test-peers';

export const LOOPBACK_NAMES = {
  commonName: 'localhost',
  dnsNames: ['localhost'],
  ipAddresses: ['127.0.0.1'],
};

export interface TlsPeers {
  ca: TestCa;
  caFile: string;
  good: SmtpSink;
  noStartTls: SmtpSink;
  expired: SmtpSink;
  selfSigned: SmtpSink;
  tls10: SmtpSink;
  all: SmtpSink[];
}

/**
 * The recipient servers of the delivery suites: one that does verified TLS, and one each for
 * the ways a server can fall short (no STARTTLS, expired or self-signed certificate, TLS 1.0).
 */
export async function startTlsPeers(): Promise<TlsPeers> {
  const ca = createTestCa();
  const caFile = join(tmpdir(), `sealpost-ca-${process.pid}-${Date.now()}.pem`);
  writeFileSync(caFile, ca.certPem);
  const day = 24 * 3600 * 1000;
  const good = await SmtpSink.start({ tls: issueCertificate(ca, LOOPBACK_NAMES) });
  const noStartTls = await SmtpSink.start({});
  const expired = await SmtpSink.start({
    tls: issueCertificate(ca, {
      ...LOOPBACK_NAMES,
      notBefore: new Date(Date.now() - 30 * day),
      notAfter: new Date(Date.now() - day),
    }),
  });
  const selfSigned = await SmtpSink.start({ tls: selfSignedCertificate(LOOPBACK_NAMES) });
  const tls10 = await SmtpSink.start({
    tls: {
      ...issueCertificate(ca, LOOPBACK_NAMES),
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1',
      // OpenSSL 3 refuses TLS 1.0 at its default security level; this server must offer it.
      ciphers: 'DEFAULT@SECLEVEL=0',
    },
  });
  return {
    ca,
    caFile,
    good,
    noStartTls,
    expired,
    selfSigned,
    tls10,
    all: [good, noStartTls, expired, selfSigned, tls10],
  };
}

export function transportMap(entries: Record<string, SmtpSink>): string {
  return Object.entries(entries)
    .map(([domain, sink]) => `${domain}=127.0.0.1:${sink.port}`)
    .join(',');
}
