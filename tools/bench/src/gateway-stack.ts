import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { standaloneAuditLog } from '@sealpost/audit';
import { CORE_ENTITIES, createDataSource, loadConfig, OrganisationsService } from '@sealpost/core';
import { GatewayAccessService } from '@sealpost/messaging';
import { type PemPair } from '@sealpost/test-peers';
import { AppProcess } from './app-process';
import { type SealpostStack } from './sealpost-stack';

// The gateway checks its database and binds at once; a start slower than this is broken.
const READY_TIMEOUT_MS = 60_000;

/** The built SMTP gateway beside a bench stack, with one organisation's AUTH credential. */
export class GatewayProcess {
  private constructor(
    readonly app: AppProcess,
    readonly port: number,
  ) {}

  static async start(stack: SealpostStack, tls: PemPair, port: number): Promise<GatewayProcess> {
    const dataDir = stack.env.SEALPOST_DATA_DIR;
    writeFileSync(join(dataDir, 'gateway.crt'), tls.certPem);
    writeFileSync(join(dataDir, 'gateway.key'), tls.keyPem);
    // BENCH_NODE_ARGS (e.g. --cpu-prof) reaches the gateway as it reaches the other apps.
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    const app = new AppProcess(
      'smtp-gateway',
      {
        ...stack.env,
        SEALPOST_GATEWAY_HOST: '127.0.0.1',
        SEALPOST_GATEWAY_PORT: String(port),
        SEALPOST_GATEWAY_TLS_CERT: join(dataDir, 'gateway.crt'),
        SEALPOST_GATEWAY_TLS_KEY: join(dataDir, 'gateway.key'),
      },
      nodeArgs,
    );
    app.start();
    const gateway = new GatewayProcess(app, port);
    await gateway.waitForBanner();
    return gateway;
  }

  /** A new organisation and an SMTP AUTH credential for it, made directly in the database. */
  static async credential(stack: SealpostStack): Promise<{ user: string; pass: string }> {
    const dataSource = createDataSource(stack.env.DATABASE_URL, CORE_ENTITIES);
    await dataSource.initialize();
    try {
      const name = `gateway-bench-${randomBytes(3).toString('hex')}`;
      const organisation = await new OrganisationsService(dataSource).create(name);
      const auditLog = standaloneAuditLog(dataSource, loadConfig(stack.env));
      const access = new GatewayAccessService(dataSource, auditLog);
      const created = await access.createCredential(organisation.id, 'bench');
      return { user: created.username, pass: created.password };
    } finally {
      await dataSource.destroy();
    }
  }

  stop(): Promise<void> {
    return this.app.stop();
  }

  /** At log level warn the gateway does not say it listens; its 220 banner does. */
  private async waitForBanner(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await this.answers())) {
      if (!this.app.running || Date.now() > deadline) {
        throw new Error(`smtp-gateway did not start:\n${this.app.tail()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private answers(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(this.port, '127.0.0.1');
      socket.setTimeout(2000);
      socket.once('data', (chunk: Buffer) => {
        socket.destroy();
        resolve(chunk.toString().startsWith('220'));
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
  }
}
