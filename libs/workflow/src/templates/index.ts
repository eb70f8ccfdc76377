export * from './contact-field-catalog';
export * from './template-error';
export * from './template-parts';
export * from './template-preview.service';
export * from './template-render.service';
export * from './template-views';
export * from './templates.module';
export * from './templates.service';
