export * from './wkd-https.port';
export * from './wkd-lookup.service';
export * from './wkd-url';
