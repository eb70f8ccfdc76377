export * from './addin-assets';
export * from './manifest/addin-icon';
export * from './manifest/addin-texts';
export * from './manifest/addin-urls';
export * from './manifest/unified-manifest';
export * from './manifest/xml-manifest';
