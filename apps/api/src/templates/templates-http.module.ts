import { Module } from '@nestjs/common';
import { TemplatesModule } from '@sealpost/workflow';
import { TemplatesController } from './templates.controller';

@Module({
  imports: [TemplatesModule],
  controllers: [TemplatesController],
})
export class TemplatesHttpModule {}
