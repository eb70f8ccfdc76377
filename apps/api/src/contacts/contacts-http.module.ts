import { Module } from '@nestjs/common';
import { ContactsModule } from '@sealpost/workflow';
import { ContactFieldsController } from './contact-fields.controller';
import { ContactListsController } from './contact-lists.controller';
import { ContactsImportController } from './contacts-import.controller';
import { ContactsController } from './contacts.controller';
import { SegmentsController } from './segments.controller';

/** Contacts, contact fields, CSV import, lists and segments over HTTP. */
@Module({
  imports: [ContactsModule],
  controllers: [
    ContactsImportController,
    ContactsController,
    ContactFieldsController,
    ContactListsController,
    SegmentsController,
  ],
})
export class ContactsHttpModule {}
