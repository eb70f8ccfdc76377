import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKey } from './auth/api-key.entity';
import { ApiKeysService } from './auth/api-keys.service';
import { SEALPOST_CONFIG } from './config/config.tokens';
import { type SealpostConfig } from './config/config.types';
import { EnvelopeCipher } from './crypto/envelope-cipher';
import { dataSourceOptions, type EntityList } from './database/data-source';
import { Organisation } from './organisations/organisation.entity';
import { OrganisationsService } from './organisations/organisations.service';

export const CORE_ENTITIES: EntityList = [Organisation, ApiKey];

/** Configuration, database, at-rest cipher and tenancy services, for every app. */
@Module({})
export class CoreModule {
  static forRoot(config: SealpostConfig, entities: EntityList): DynamicModule {
    return {
      module: CoreModule,
      global: true,
      imports: [
        TypeOrmModule.forRoot(
          dataSourceOptions(config.database.url, [...CORE_ENTITIES, ...entities]),
        ),
      ],
      providers: [
        { provide: SEALPOST_CONFIG, useValue: config },
        {
          provide: EnvelopeCipher,
          useValue: new EnvelopeCipher(config.crypto.masterKey, config.crypto.previousMasterKeys),
        },
        OrganisationsService,
        ApiKeysService,
      ],
      exports: [SEALPOST_CONFIG, EnvelopeCipher, OrganisationsService, ApiKeysService],
    };
  }
}
