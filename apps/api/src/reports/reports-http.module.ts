import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { ReportsModule } from '@sealpost/audit';
import { SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { ReportsController } from './reports.controller';

/**
 * Report routes. The api hands report builds to the worker through Bull, so it connects to
 * the same Redis and queue prefix as the worker.
 */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [SEALPOST_CONFIG],
      useFactory: (config: SealpostConfig) => ({
        url: config.redis.url,
        prefix: config.redis.queuePrefix,
      }),
    }),
    ReportsModule,
  ],
  controllers: [ReportsController],
})
export class ReportsHttpModule {}
