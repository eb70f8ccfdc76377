import { type Socket } from 'node:net';

export interface SmtpReply {
  code: number;
  /** The text of each line, without the code and separator. */
  lines: string[];
}

export type SmtpReadFailure = 'timeout' | 'closed' | 'malformed';

export class SmtpReadError extends Error {
  constructor(readonly failure: SmtpReadFailure) {
    super(`SMTP read failed: ${failure}`);
    this.name = 'SmtpReadError';
  }
}

// No honest reply comes near this (an EHLO lists a few dozen short lines); the cap keeps a
// hostile server from growing our buffer without end.
const MAX_PENDING_BYTES = 64 * 1024;
const REPLY_LINE = /^(\d{3})(?:([ -])(.*))?$/;
// We never pipeline, so more unread replies than this can only come from a hostile server.
const MAX_UNREAD_REPLIES = 4;

/**
 * Reads SMTP replies (RFC 5321 section 4.2), including multi-line ones, from a socket and
 * writes commands. One reader per socket; detach it before handing the socket to TLS.
 */
export class SmtpReplyReader {
  private pending = '';
  private current: string[] = [];
  private currentCode = 0;
  private currentBytes = 0;
  private readonly replies: SmtpReply[] = [];
  private failure?: SmtpReadFailure;
  private waiter?: (failure?: SmtpReadFailure) => void;

  constructor(private readonly socket: Socket) {
    socket.on('data', this.onData);
    socket.on('error', this.onClose);
    socket.on('close', this.onClose);
    socket.on('end', this.onClose);
  }

  command(line: string, timeoutMs: number): Promise<SmtpReply> {
    this.socket.write(`${line}\r\n`);
    return this.read(timeoutMs);
  }

  read(timeoutMs: number): Promise<SmtpReply> {
    return new Promise<SmtpReply>((resolve, reject) => {
      const timer = setTimeout(() => settle('timeout'), timeoutMs);
      const settle = (failure?: SmtpReadFailure) => {
        const reply = this.replies.shift();
        if (!reply && !failure && !this.failure) {
          return;
        }
        clearTimeout(timer);
        this.waiter = undefined;
        if (reply) {
          resolve(reply);
        } else {
          reject(new SmtpReadError(failure ?? this.failure ?? 'closed'));
        }
      };
      this.waiter = settle;
      settle();
    });
  }

  /**
   * Stops reading so TLS can take the socket over. Bytes already received after the reply to
   * STARTTLS were sent in plain text and would be read as if protected (the STARTTLS command
   * injection of CVE-2011-0411), so they make the session unusable.
   */
  detach(): void {
    this.socket.off('data', this.onData);
    this.socket.off('error', this.onClose);
    this.socket.off('close', this.onClose);
    this.socket.off('end', this.onClose);
    if (this.pending !== '' || this.current.length > 0 || this.replies.length > 0) {
      throw new SmtpReadError('malformed');
    }
  }

  private readonly onData = (chunk: Buffer): void => {
    this.pending += chunk.toString('latin1');
    let end = this.pending.indexOf('\n');
    while (end >= 0 && !this.failure) {
      this.takeLine(this.pending.slice(0, end).replace(/\r$/, ''));
      this.pending = this.pending.slice(end + 1);
      end = this.pending.indexOf('\n');
    }
    if (this.pending.length > MAX_PENDING_BYTES) {
      this.fail('malformed');
    }
    this.waiter?.();
  };

  private readonly onClose = (): void => {
    this.fail('closed');
  };

  private takeLine(line: string): void {
    const match = REPLY_LINE.exec(line);
    const code = match ? Number(match[1]) : 0;
    if (!match || (this.current.length > 0 && code !== this.currentCode)) {
      this.fail('malformed');
      return;
    }
    this.currentCode = code;
    this.currentBytes += line.length;
    this.current.push(match[3] ?? '');
    if (match[2] !== '-') {
      this.replies.push({ code, lines: this.current });
      this.current = [];
      this.currentBytes = 0;
    }
    if (this.currentBytes > MAX_PENDING_BYTES || this.replies.length > MAX_UNREAD_REPLIES) {
      this.fail('malformed');
    }
  }

  private fail(failure: SmtpReadFailure): void {
    this.failure ??= failure;
    this.waiter?.(failure);
  }
}

/** Whether an EHLO reply lists an extension keyword (its lines after the first). */
export function hasExtension(reply: SmtpReply, keyword: string): boolean {
  const wanted = keyword.toUpperCase();
  return reply.lines.slice(1).some((line) => line.split(' ')[0].toUpperCase() === wanted);
}
