import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EnvelopeCipher } from '@sealpost/core';
import { DataSource, type EntityManager } from 'typeorm';
import { type TemplateParts } from './template-parts';

export interface StoredTemplate {
  id: string;
  name: string;
  version: number;
  parts: TemplateParts;
  createdAt: Date;
  updatedAt: Date;
}

export interface TemplateSummary {
  id: string;
  name: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

interface TemplateRow {
  id: string;
  name: string;
  version: number;
  content_ciphertext: Buffer;
  content_wrapped_key: Buffer;
  content_key_id: string;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'id, name, version, content_ciphertext, content_wrapped_key, content_key_id, ' +
  'created_at, updated_at';
// A listing shows names; an organisation with more templates than this pages by name search.
const LIST_LIMIT = 1000;

/** Templates of one organisation at a time; parts are sealed with the master key. */
@Injectable()
export class TemplatesRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: EnvelopeCipher,
  ) {}

  async insert(
    organisationId: string,
    name: string,
    parts: TemplateParts,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<StoredTemplate> {
    const id = randomUUID();
    const sealed = this.seal(organisationId, id, parts);
    const [row] = await manager.query<TemplateRow[]>(
      `INSERT INTO templates (id, organisation_id, name, content_ciphertext, content_wrapped_key,
         content_key_id)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [id, organisationId, name, sealed.ciphertext, sealed.wrappedKey, sealed.keyId],
    );
    return this.storedFrom(organisationId, row);
  }

  async update(
    organisationId: string,
    id: string,
    name: string,
    parts: TemplateParts,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<StoredTemplate | null> {
    const sealed = this.seal(organisationId, id, parts);
    const [rows] = await manager.query<[TemplateRow[], number]>(
      `UPDATE templates
          SET name = $3, content_ciphertext = $4, content_wrapped_key = $5, content_key_id = $6,
              version = version + 1,
              updated_at = date_trunc('milliseconds', clock_timestamp())
        WHERE id = $1 AND organisation_id = $2
        RETURNING ${COLUMNS}`,
      [id, organisationId, name, sealed.ciphertext, sealed.wrappedKey, sealed.keyId],
    );
    return rows[0] ? this.storedFrom(organisationId, rows[0]) : null;
  }

  async find(organisationId: string, id: string): Promise<StoredTemplate | null> {
    const [row] = await this.dataSource.query<TemplateRow[]>(
      `SELECT ${COLUMNS} FROM templates WHERE id = $1 AND organisation_id = $2`,
      [id, organisationId],
    );
    return row ? this.storedFrom(organisationId, row) : null;
  }

  async list(organisationId: string): Promise<TemplateSummary[]> {
    const rows = await this.dataSource.query<TemplateRow[]>(
      `SELECT id, name, version, created_at, updated_at FROM templates
        WHERE organisation_id = $1 ORDER BY created_at DESC, id LIMIT $2`,
      [organisationId, LIST_LIMIT],
    );
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      version: row.version,
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
    }));
  }

  async remove(
    organisationId: string,
    id: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<boolean> {
    const [, deleted] = await manager.query<[unknown[], number]>(
      `DELETE FROM templates WHERE id = $1 AND organisation_id = $2`,
      [id, organisationId],
    );
    return deleted > 0;
  }

  private seal(organisationId: string, id: string, parts: TemplateParts) {
    const plaintext = Buffer.from(JSON.stringify(parts), 'utf8');
    return this.cipher.seal(plaintext, contextOf(organisationId, id));
  }

  private storedFrom(organisationId: string, row: TemplateRow): StoredTemplate {
    const plaintext = this.cipher.open(
      {
        ciphertext: row.content_ciphertext,
        wrappedKey: row.content_wrapped_key,
        keyId: row.content_key_id,
      },
      contextOf(organisationId, row.id),
    );
    return {
      id: row.id,
      name: row.name,
      version: row.version,
      parts: JSON.parse(plaintext.toString('utf8')) as TemplateParts,
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
    };
  }
}

/** Binds the sealed parts to their row: copied into another template, they fail to open. */
function contextOf(organisationId: string, id: string): string {
  return `template:${organisationId}:${id}`;
}
