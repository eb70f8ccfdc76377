import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BullModule, InjectQueue } from '@nestjs/bull';
import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnModuleInit,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CoreModule, loadConfig, SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import {
  DELIVERY_QUEUE,
  DeliverBatchUseCase,
  deliveriesOf,
  DeliveryModule,
  MESSAGING_ENTITIES,
  queuedDeliverySchema,
} from '@sealpost/messaging';
import { createTestCa, issueCertificate, SmtpSink } from '@sealpost/test-peers';
import { type Job, Queue } from 'bull';
import { LOOPBACK_NAMES } from './delivery-measures';

/** What this process tells the bench, a few times a second and when asked to stop. */
export interface DeliveryReport {
  kind: 'ready' | 'arrivals';
  delivered: number;
  duplicates: number;
  peakRssBytes: number;
}

/** The recipient domain the bench's contacts use; routed to this process's sink. */
export const BENCH_RECIPIENT_DOMAIN = 'bench.test';
const REPORT_INTERVAL_MS = 250;
// As the bench's apps run: logging every delivery would cost CPU on the same cores.
const LOG_LEVELS: ('warn' | 'error')[] = ['warn', 'error'];

/** Runs delivery jobs through the worker's use case, as apps/worker's processor does. */
@Injectable()
class BenchDeliveryProcessor implements OnModuleInit {
  constructor(
    @InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue,
    private readonly deliver: DeliverBatchUseCase,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
  ) {}

  onModuleInit(): void {
    void this.queue.process('deliver', this.config.delivery.workerConcurrency, async (job: Job) => {
      const parsed = queuedDeliverySchema.safeParse(job.data);
      if (parsed.success) {
        await this.deliver.execute(deliveriesOf(parsed.data)).catch(() => undefined);
      }
    });
  }
}

@Module({})
class BenchDeliveryModule {
  static forRoot(config: SealpostConfig): DynamicModule {
    return {
      module: BenchDeliveryModule,
      imports: [
        CoreModule.forRoot(config, MESSAGING_ENTITIES),
        BullModule.forRoot({ url: config.redis.url, prefix: config.redis.queuePrefix }),
        DeliveryModule,
      ],
      providers: [BenchDeliveryProcessor],
    };
  }
}

/**
 * Counts what the sink received and forgets the bodies, so memory stays flat however many
 * emails arrive; a (Message-ID, recipient) pair seen twice is a duplicate.
 */
class ArrivalCounter {
  private readonly seen = new Set<string>();
  delivered = 0;
  duplicates = 0;

  constructor(private readonly sink: SmtpSink) {}

  drain(): void {
    for (const message of this.sink.messages.splice(0)) {
      const head = message.raw.subarray(0, 4096).toString('latin1');
      const id = /^Message-ID:\s*(\S+)/im.exec(head)?.[1] ?? '';
      const key = `${id} ${message.to.join(',')}`;
      this.delivered += 1;
      if (this.seen.has(key)) {
        this.duplicates += 1;
      }
      this.seen.add(key);
    }
  }
}

/**
 * The delivery side of the workflow bench, in its own process as the worker runs it: the
 * outbox relay and the delivery use cases, sending to a loopback STARTTLS sink that this
 * process holds. Configured by the bench through the environment; reports over IPC.
 */
async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sealpost-bench-delivery-'));
  const ca = createTestCa('Sealpost Bench CA');
  const sink = await SmtpSink.start({ tls: issueCertificate(ca, LOOPBACK_NAMES) });
  const caFile = join(dataDir, 'bench-ca.pem');
  writeFileSync(caFile, ca.certPem);
  const config = loadConfig({
    ...process.env,
    SEALPOST_DATA_DIR: dataDir,
    SEALPOST_TLS_CA_FILE: caFile,
    SEALPOST_TRANSPORT_MAP: `${BENCH_RECIPIENT_DOMAIN}=127.0.0.1:${sink.port}`,
  });
  Logger.overrideLogger(LOG_LEVELS);
  const app = await NestFactory.createApplicationContext(BenchDeliveryModule.forRoot(config), {
    logger: LOG_LEVELS,
  });
  await app.init();

  const counter = new ArrivalCounter(sink);
  let peakRssBytes = process.memoryUsage().rss;
  const report = (kind: DeliveryReport['kind']) => {
    counter.drain();
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss);
    const message: DeliveryReport = {
      kind,
      delivered: counter.delivered,
      duplicates: counter.duplicates,
      peakRssBytes,
    };
    process.send?.(message);
  };
  const timer = setInterval(() => report('arrivals'), REPORT_INTERVAL_MS);
  report('ready');
  process.on('disconnect', () => {
    clearInterval(timer);
    void Promise.all([app.close(), sink.close()]).finally(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
