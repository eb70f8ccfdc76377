import { Module } from '@nestjs/common';
import { RetentionPolicyModule } from '@sealpost/messaging';
import { RetentionController } from './retention.controller';

@Module({
  imports: [RetentionPolicyModule],
  controllers: [RetentionController],
})
export class RetentionHttpModule {}
