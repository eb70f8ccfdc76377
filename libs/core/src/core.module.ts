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
import { Clock, SystemClock } from './time/clock.port';
import { AddinTokensService } from './users/addin-tokens.service';
import { UserEnrolmentService } from './users/user-enrolment.service';
import { UserSessionsService } from './users/user-sessions.service';
import { UsersService } from './users/users.service';

const EXPORTED = [
  SEALPOST_CONFIG,
  EnvelopeCipher,
  Clock,
  OrganisationsService,
  ApiKeysService,
  UsersService,
  UserEnrolmentService,
  UserSessionsService,
  AddinTokensService,
];

export const CORE_ENTITIES: EntityList = [Organisation, ApiKey];

/** Configuration, database, at-rest cipher, clock, tenancy and sign-in, for every app. */
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
        { provide: Clock, useClass: SystemClock },
        OrganisationsService,
        ApiKeysService,
        UsersService,
        UserEnrolmentService,
        UserSessionsService,
        AddinTokensService,
      ],
      exports: EXPORTED,
    };
  }
}
