import { Module } from '@nestjs/common';
import { ReceiveBounceUseCase } from './receive-bounce.use-case';
import { SuppressionListService } from './suppression-list.service';
import { VerpIssuingModule } from './verp-issuing.module';

/**
 * Reading bounce notices on return paths: what the SMTP gateway needs. The gateway binds its
 * InboundBounceHandler port to ReceiveBounceUseCase (`useExisting`).
 */
@Module({
  imports: [VerpIssuingModule],
  providers: [ReceiveBounceUseCase],
  exports: [ReceiveBounceUseCase],
})
export class BouncesModule {}

/** Listing and changing an organisation's suppression list: what the API needs. */
@Module({
  providers: [SuppressionListService],
  exports: [SuppressionListService],
})
export class SuppressionsModule {}
