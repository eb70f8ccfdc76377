export * from './clock.port';
export * from './mta-sts-dns.port';
export * from './mta-sts-https.port';
export * from './mta-sts-policy';
export * from './mta-sts-resolver.service';
export * from './tls-assessment';
export * from './tls-probe-result';
export * from './tls-probe.service';
