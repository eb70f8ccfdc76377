import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';

/** AuditModule itself is global (imported once by AppModule); this adds its routes. */
@Module({ controllers: [AuditController] })
export class AuditHttpModule {}
