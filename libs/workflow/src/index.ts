// Contacts, lists, segments, templates, workflow definitions and the journey engine.
// Each feature folder adds its exports here.
export * from './definitions';
export * from './scheduling';
export * from './templates';
