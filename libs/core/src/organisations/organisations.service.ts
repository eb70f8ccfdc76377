import { Injectable } from '@nestjs/common';
import { DataSource, type Repository } from 'typeorm';
import { ErrorCode } from '../errors/error-code';
import { SealpostError } from '../errors/sealpost-error';
import { Organisation } from './organisation.entity';

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class OrganisationsService {
  private readonly organisations: Repository<Organisation>;

  constructor(dataSource: DataSource) {
    this.organisations = dataSource.getRepository(Organisation);
  }

  async create(name: string): Promise<Organisation> {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 200) {
      throw new SealpostError(
        ErrorCode.ValidationFailed,
        'An organisation name has 1-200 characters.',
      );
    }
    try {
      return await this.organisations.save(this.organisations.create({ name: trimmed }));
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new SealpostError(
          ErrorCode.ValidationFailed,
          'An organisation with that name exists.',
        );
      }
      throw error;
    }
  }

  async findByName(name: string): Promise<Organisation | null> {
    return this.organisations.findOneBy({ name: name.trim() });
  }
}
