export * from './contact-lists.service';
