// Contacts, lists, segments, templates, workflow definitions and the journey engine.
// Each feature folder adds its exports here.
export * from './contacts';
export * from './definitions';
export * from './engine';
export * from './lists';
export * from './scheduling';
export * from './segments';
export * from './stats';
export * from './templates';
export * from './workflows';
