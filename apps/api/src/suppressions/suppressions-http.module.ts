import { Module } from '@nestjs/common';
import { SuppressionsModule } from '@sealpost/messaging';
import { SuppressionsController } from './suppressions.controller';

@Module({
  imports: [SuppressionsModule],
  controllers: [SuppressionsController],
})
export class SuppressionsHttpModule {}
