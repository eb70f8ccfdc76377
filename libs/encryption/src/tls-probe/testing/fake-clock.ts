// One fake clock for every lib's tests, beside the Clock port in core.
export { FakeClock } from '@sealpost/core/testing';
