import { type DynamicModule, Module, type ModuleMetadata, type Type } from '@nestjs/common';
import { EngagementSink, NoopEngagementSink } from './engagement-sink';
import { RecordEngagementUseCase } from './record-engagement.use-case';
import { TrackingIssuingModule } from './tracking-issuing.module';

export interface TrackingModuleOptions {
  /** Modules that provide `sink`. */
  imports?: ModuleMetadata['imports'];
  /** Who hears of each open and click; by default no one. */
  sink?: Type<EngagementSink>;
}

/** Recording opens and clicks, and the organisation's tracking setting: what the api needs. */
@Module({})
export class TrackingModule {
  static forRoot(options: TrackingModuleOptions = {}): DynamicModule {
    return {
      module: TrackingModule,
      imports: [...(options.imports ?? []), TrackingIssuingModule],
      providers: [
        RecordEngagementUseCase,
        options.sink
          ? { provide: EngagementSink, useExisting: options.sink }
          : { provide: EngagementSink, useClass: NoopEngagementSink },
      ],
      exports: [RecordEngagementUseCase, TrackingIssuingModule],
    };
  }
}
