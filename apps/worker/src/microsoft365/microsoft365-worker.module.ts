import { Module } from '@nestjs/common';
import { Microsoft365Module, Microsoft365PortsModule } from '@sealpost/microsoft365';
import { Microsoft365Processor } from './microsoft365.processor';

/** Microsoft 365: notification jobs, hourly maintenance, and group rules for delivery. */
@Module({
  imports: [Microsoft365Module, Microsoft365PortsModule],
  providers: [Microsoft365Processor],
})
export class Microsoft365WorkerModule {}
