import { randomUUID } from 'node:crypto';
import { encryptSmime, type SmimeMode } from '@sealpost/encryption';
import { buildMime } from '@sealpost/messaging';
import { createMessage, encrypt, readKey } from 'openpgp';
import { type BenchMail, FROM } from './bench-mail';
import { print, seconds } from './bench-report';
import { type LoadShape } from './delivery-measures';
import { perSecond, runBounded } from './load';

/** The RFC 5322 message Sealpost composes for `mail`, so both sides encrypt the same bytes. */
export function composeLikeSealpost(mail: BenchMail): Promise<Buffer> {
  return buildMime({
    messageId: randomUUID(),
    from: FROM,
    createdAt: new Date(),
    content: {
      subject: mail.subject,
      text: mail.text,
      headers: {},
      attachments: [],
      to: [mail.to],
      cc: [],
    },
    idDomain: 'sealpost.test',
  });
}

/**
 * openpgp.encrypt alone, in this process: the MIME message to the recipient's key, armored,
 * as Sealpost's PGP/MIME step does, with the key read once. Returns messages per second.
 */
export async function measureRawOpenpgp(
  mime: Buffer,
  armoredKey: string,
  load: LoadShape,
  warmup: number,
): Promise<number> {
  const key = await readKey({ armoredKey });
  const milliseconds = await timed(load, warmup, async () => {
    const encrypted = await encrypt({
      message: await createMessage({ binary: new Uint8Array(mime), format: 'binary' }),
      encryptionKeys: key,
      format: 'object',
    });
    encrypted.armor();
  });
  return report('raw openpgp encrypt', load.messages, milliseconds);
}

/** Sealpost's encryptSmime alone, in this process, with the same certificate and mode. */
export async function measureRawSmime(
  mime: Buffer,
  certPem: string,
  mode: SmimeMode,
  load: LoadShape,
  warmup: number,
): Promise<number> {
  const milliseconds = await timed(load, warmup, () => {
    encryptSmime({ mime, recipientCertPems: [certPem], mode });
    return Promise.resolve();
  });
  return report('raw encryptSmime', load.messages, milliseconds);
}

/** Times `load.messages` runs of `task`, after `warmup` untimed ones for the JIT. */
async function timed(load: LoadShape, warmup: number, task: () => Promise<void>): Promise<number> {
  await runBounded(warmup, load.concurrency, task);
  const started = performance.now();
  await runBounded(load.messages, load.concurrency, task);
  return performance.now() - started;
}

function report(name: string, messages: number, milliseconds: number): number {
  const rate = perSecond(messages, milliseconds);
  print(`${name}: ${messages} in ${seconds(milliseconds)}, ${rate.toFixed(1)} msg/s`);
  return rate;
}
