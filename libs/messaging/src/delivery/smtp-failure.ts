/** What a failed SMTP attempt means for the message. */
export type FailureKind = 'tls' | 'temporary' | 'permanent';

/**
 * A failed attempt, with a reason safe to store and show: it names hosts, codes and TLS
 * facts, never addresses or content. `response` is the server's own reply line, stored on
 * the recipient but never logged (it may quote the address).
 */
export class SmtpFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly reason: string,
    readonly responseCode?: number,
    readonly response?: string,
    /** Refused at RCPT TO: the address itself, not the message, was turned away. */
    readonly atRecipient = false,
  ) {
    super(reason);
    this.name = 'SmtpFailure';
  }
}

interface NodemailerError {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
}

const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|ALTNAME|UNABLE_TO_(GET|VERIFY)|EPROTO/;

/** Maps a nodemailer SMTPConnection error onto our three outcomes. */
export function classifySmtpError(error: unknown, host: string): SmtpFailure {
  const e = (error ?? {}) as NodemailerError;
  const code = e.responseCode;
  if (e.code === 'ETLS' && e.command === 'STARTTLS' && code) {
    return new SmtpFailure('tls', `${host} offered no STARTTLS (reply ${code})`, code, e.response);
  }
  if (e.code === 'ETLS' || TLS_CODE.test(e.originalCode ?? '')) {
    return new SmtpFailure('tls', `TLS with ${host} failed: ${tlsDetail(e)}`);
  }
  if (code && code >= 500) {
    const reason = `${host} refused the message (${code})`;
    return new SmtpFailure('permanent', reason, code, e.response, e.command === 'RCPT TO');
  }
  if (code && code >= 400) {
    return new SmtpFailure('temporary', `${host} deferred the message (${code})`, code, e.response);
  }
  const what = e.originalCode ?? e.code ?? 'unknown error';
  return new SmtpFailure('temporary', `connection to ${host} failed (${what})`);
}

function tlsDetail(e: NodemailerError): string {
  const inner = e.originalCode ?? '';
  const known: Record<string, string> = {
    CERT_HAS_EXPIRED: 'certificate has expired',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'certificate is self-signed',
    SELF_SIGNED_CERT_IN_CHAIN: 'certificate chain ends in an untrusted self-signed root',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate chain cannot be verified',
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate issuer is not trusted',
    ERR_TLS_CERT_ALTNAME_INVALID: 'certificate does not match the host name',
    ERR_SSL_UNSUPPORTED_PROTOCOL: 'server offers no TLS version of 1.2 or later',
    ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'server offers no TLS version of 1.2 or later',
    ERR_SSL_NO_PROTOCOLS_AVAILABLE: 'server offers no TLS version of 1.2 or later',
  };
  if (known[inner]) {
    return known[inner];
  }
  // The library's message names the failed step and the TLS error, but it appends the server's
  // reply, which can quote an address; only the part before the reply is kept.
  let message = (e.message ?? '').replace(/^Error initiating TLS - /, '');
  if (e.response) {
    message = message.split(e.response)[0].replace(/:\s*$/, '');
  }
  return (
    (inner ? `${inner}: ` : '') +
    message
      .split(/\d{3}[ -]/)[0]
      .trim()
      .slice(0, 200)
  );
}
