import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createTestCa, issueCertificate, SmtpSink } from '@sealpost/test-peers';
import { simpleParser } from 'mailparser';

/**
 * `npm run sink`: a local recipient mail server for trying Sealpost out. It offers STARTTLS
 * with a certificate from a CA made on the spot, writes that CA where SEALPOST_TLS_CA_FILE can
 * point, and prints a line for each message it receives.
 */
async function main(): Promise<void> {
  const port = Number(process.env.SINK_PORT ?? 2525);
  const dataDir = resolve(process.env.SEALPOST_DATA_DIR ?? '.sealpost');
  const ca = createTestCa('Sealpost dev sink CA');
  const leaf = issueCertificate(ca, {
    commonName: 'localhost',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
  });
  const inbox = join(dataDir, 'sink');
  mkdirSync(inbox, { recursive: true });
  const caFile = join(dataDir, 'dev-sink-ca.pem');
  writeFileSync(caFile, ca.certPem);

  const sink = await SmtpSink.start({ tls: leaf }, port);
  process.stdout.write(
    `dev sink listening on 127.0.0.1:${sink.port} with STARTTLS\n` +
      `start Sealpost with:\n` +
      `  SEALPOST_TRANSPORT_MAP=example.test=127.0.0.1:${sink.port} ` +
      `SEALPOST_TLS_CA_FILE=${caFile} npm start\n`,
  );
  let seen = 0;
  setInterval(() => {
    for (const message of sink.messages.slice(seen)) {
      seen += 1;
      // Kept so a person can open it with their own client, e.g. `gpg --decrypt FILE`.
      const file = join(inbox, `${Date.now()}-${seen}.eml`);
      writeFileSync(file, message.raw);
      void simpleParser(message.raw).then((mail) => {
        process.stdout.write(
          `received over ${message.secure ? `TLS (${message.tlsCipher ?? '?'})` : 'PLAIN TEXT'}` +
            ` for ${message.to.join(', ')}: "${mail.subject ?? ''}", ` +
            `${mail.attachments.length} attachment(s), ${message.raw.length} bytes, ` +
            `saved as ${file}\n`,
        );
      });
    }
  }, 200);
}

void main();
