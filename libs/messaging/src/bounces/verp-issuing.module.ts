import { Module } from '@nestjs/common';
import { VerpAddresses } from './verp-addresses';

/** Return paths for delivery to write and for the bounce handler to read. */
@Module({
  providers: [VerpAddresses],
  exports: [VerpAddresses],
})
export class VerpIssuingModule {}
