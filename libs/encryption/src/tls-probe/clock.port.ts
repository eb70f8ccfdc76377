// The clock lives in core so that sessions and the encryption engine move with one fake clock.
export { Clock, SystemClock } from '@sealpost/core';
