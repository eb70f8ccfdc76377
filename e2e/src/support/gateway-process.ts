import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCa, issueCertificate, type TestCa } from '@sealpost/test-peers';
import { AppProcess } from './app-process';
import { type Stack } from './stack';
import { LOOPBACK_NAMES } from './tls-peers';

/** The built SMTP gateway as processes beside a stack, all on one port and certificate. */
export class GatewayProcesses {
  readonly all: AppProcess[] = [];

  private constructor(
    private readonly env: Record<string, string>,
    readonly ca: TestCa,
    readonly port: number,
  ) {}

  static create(stack: Stack, port: number): GatewayProcesses {
    const ca = createTestCa('Sealpost Gateway E2E CA');
    const pair = issueCertificate(ca, LOOPBACK_NAMES);
    const stem = join(tmpdir(), `sealpost-gw-e2e-${randomBytes(4).toString('hex')}`);
    writeFileSync(`${stem}.crt`, pair.certPem);
    writeFileSync(`${stem}.key`, pair.keyPem);
    return new GatewayProcesses(
      {
        ...stack.env,
        SEALPOST_GATEWAY_HOST: '127.0.0.1',
        SEALPOST_GATEWAY_PORT: String(port),
        SEALPOST_GATEWAY_TLS_CERT: `${stem}.crt`,
        SEALPOST_GATEWAY_TLS_KEY: `${stem}.key`,
      },
      ca,
      port,
    );
  }

  /** Starts one gateway process and waits until it listens. */
  async start(env: Record<string, string> = {}): Promise<AppProcess> {
    const app = new AppProcess('smtp-gateway', { ...this.env, ...env });
    this.all.push(app);
    app.start();
    await app.waitForLog(/"msg":"gateway listening"/);
    return app;
  }

  logs(): string {
    return this.all.map((app) => app.logs).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((app) => app.stop('SIGTERM')));
  }
}
