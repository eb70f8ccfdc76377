import { execFile } from 'node:child_process';
import { connect as connectTcp, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { createTransport, type Transporter } from 'nodemailer';

const run = promisify(execFile);

export interface ClientOptions {
  port: number;
  caPem: string;
  auth?: { user: string; pass: string };
  /** Leave STARTTLS out, as a careless or hostile client would. */
  plain?: boolean;
  /** The client's own address (another loopback address, 127.0.0.2, counts as another host). */
  localAddress?: string;
}

/** nodemailer as a mail suite would use it: STARTTLS required, the gateway's CA trusted. */
export function nodemailerClient(options: ClientOptions): Transporter {
  return createTransport({
    host: '127.0.0.1',
    port: options.port,
    secure: false,
    requireTLS: !options.plain,
    ignoreTLS: options.plain === true,
    tls: { ca: [options.caPem], servername: 'localhost' },
    auth: options.auth,
    localAddress: options.localAddress,
  });
}

export interface SwaksResult {
  exitCode: number;
  transcript: string;
}

/** swaks (Debian's SMTP test client) with the given arguments; the transcript is its output. */
export async function swaks(port: number, args: string[]): Promise<SwaksResult> {
  try {
    const { stdout, stderr } = await run(
      'swaks',
      ['--server', '127.0.0.1', '--port', String(port), '--timeout', '20', ...args],
      { timeout: 30_000 },
    );
    return { exitCode: 0, transcript: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      exitCode: typeof failed.code === 'number' ? failed.code : 1,
      transcript: (failed.stdout ?? '') + (failed.stderr ?? ''),
    };
  }
}

/**
 * A bare SMTP dialogue over plain TCP: sends each line after the previous reply and returns
 * the replies, so a test can read the exact code of a refusal.
 */
export async function smtpDialogue(port: number, lines: string[]): Promise<string[]> {
  const socket: Socket = connectTcp(port, '127.0.0.1');
  const replies: string[] = [];
  let buffer = '';
  let wake: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    wake?.();
  });
  const nextReply = async (): Promise<string> => {
    for (;;) {
      // A reply ends with a line whose code is followed by a space.
      const match = /(?:^|\r\n)(\d{3}) [^\r\n]*\r\n/.exec(buffer);
      if (match) {
        const end = match.index + match[0].length;
        const reply = buffer.slice(0, end).trim();
        buffer = buffer.slice(end);
        return reply;
      }
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no SMTP reply')), 10_000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };
  try {
    replies.push(await nextReply());
    for (const line of lines) {
      socket.write(`${line}\r\n`);
      replies.push(await nextReply());
    }
    return replies;
  } finally {
    socket.destroy();
  }
}
