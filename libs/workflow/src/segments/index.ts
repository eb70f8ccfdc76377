export * from './segment-filter';
export * from './segment-filter.compiler';
export * from './segment-filter.validator';
export * from './segment-members.service';
export * from './segments.service';
