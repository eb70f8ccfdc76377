import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class AllowSmimeSigningKey1796313600008 implements MigrationInterface {
  name = 'AllowSmimeSigningKey1796313600008';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The organisation's S/MIME signing identity has the shape of its PGP signing key: public
    // material (certificate and chain, PEM) beside a private key sealed with the master key.
    await queryRunner.query(`
      ALTER TABLE organisation_keys
        DROP CONSTRAINT organisation_keys_purpose_check,
        ADD CONSTRAINT organisation_keys_purpose_check
          CHECK (purpose IN ('pgp-signing', 'pgp-archive', 'smime-signing'))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM organisation_keys WHERE purpose = 'smime-signing'`);
    await queryRunner.query(`
      ALTER TABLE organisation_keys
        DROP CONSTRAINT organisation_keys_purpose_check,
        ADD CONSTRAINT organisation_keys_purpose_check
          CHECK (purpose IN ('pgp-signing', 'pgp-archive'))`);
  }
}
