import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';

export interface ScriptedSmtpOptions {
  /** Extensions listed in EHLO before TLS; STARTTLS is added when `tls` is given. */
  extensions?: string[];
  /** Extensions listed in EHLO after TLS. */
  tlsExtensions?: string[];
  tls?: { keyPem: string; certPem: string };
  /** Reply to STARTTLS; 220 upgrades. */
  starttlsReply?: string;
  /** Plain-text bytes sent right behind the 220 to STARTTLS, as an injection attack would. */
  afterStarttls?: string;
  /** Writes every reply one byte at a time, to exercise reply reassembly. */
  dribble?: boolean;
}

/**
 * A tiny SMTP server on loopback that speaks just enough (EHLO, STARTTLS, QUIT) to script
 * what smtp-server cannot: REQUIRETLS, refusals, injected bytes. Counts its connections.
 */
export class ScriptedSmtpServer {
  connections = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly options: ScriptedSmtpOptions,
  ) {}

  static async start(options: ScriptedSmtpOptions = {}): Promise<ScriptedSmtpServer> {
    const ref: { self?: ScriptedSmtpServer } = {};
    const server = createServer((socket) => ref.self?.accept(socket));
    ref.self = new ScriptedSmtpServer(server, options);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return ref.self;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    this.sockets.forEach((socket) => socket.destroy());
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.connections += 1;
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
    this.serve(socket, false);
    this.write(socket, '220 scripted.test ESMTP\r\n');
  }

  private serve(socket: Socket, secure: boolean): void {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      let end = buffer.indexOf('\r\n');
      while (end >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (this.answer(socket, line, secure, () => socket.off('data', onData))) {
          return;
        }
        end = buffer.indexOf('\r\n');
      }
    };
    socket.on('data', onData);
  }

  /** Answers one command; returns true once the socket has been handed to TLS. */
  private answer(socket: Socket, line: string, secure: boolean, stop: () => void): boolean {
    const verb = line.split(' ')[0].toUpperCase();
    if (verb === 'EHLO') {
      const offered = secure
        ? (this.options.tlsExtensions ?? [])
        : [...(this.options.extensions ?? []), ...(this.options.tls ? ['STARTTLS'] : [])];
      const lines = ['scripted.test greets you', ...offered];
      const text = lines.map((l, i) => `250${i === lines.length - 1 ? ' ' : '-'}${l}\r\n`);
      this.write(socket, text.join(''));
    } else if (verb === 'STARTTLS' && this.options.tls && !secure) {
      const reply = this.options.starttlsReply ?? '220 go ahead';
      socket.write(`${reply}\r\n${this.options.afterStarttls ?? ''}`);
      if (reply.startsWith('220')) {
        stop();
        this.upgrade(socket);
        return true;
      }
    } else if (verb === 'QUIT') {
      socket.end('221 bye\r\n');
    } else {
      this.write(socket, '502 not implemented\r\n');
    }
    return false;
  }

  private upgrade(socket: Socket): void {
    const tls = this.options.tls;
    if (!tls) {
      return;
    }
    const secureContext = createSecureContext({ key: tls.keyPem, cert: tls.certPem });
    const secure = new TLSSocket(socket, { isServer: true, secureContext });
    secure.on('error', () => undefined);
    this.serve(secure, true);
  }

  private write(socket: Socket, text: string): void {
    if (!this.options.dribble) {
      socket.write(text);
      return;
    }
    // A pause between bytes makes them arrive in separate reads rather than one.
    socket.setNoDelay(true);
    const chars = [...text];
    const next = () => {
      const char = chars.shift();
      if (char !== undefined && !socket.destroyed) {
        socket.write(char);
        setTimeout(next, 1);
      }
    };
    next();
  }
}
