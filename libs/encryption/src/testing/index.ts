// Test helpers of the encryption lib for other projects' tests; never part of a build.
export * from '../smime/testing/openssl.runner';
export * from '../smime/testing/smime-test-certificates';
