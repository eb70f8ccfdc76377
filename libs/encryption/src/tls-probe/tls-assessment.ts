import { type MtaStsResult } from './mta-sts-resolver.service';
import { mxMatchesPolicy } from './mta-sts-policy';
import { type TlsProbeResult } from './tls-probe-result';

export interface TlsAssessment {
  /** Whether mail to this MX may count as protected by TLS. */
  usable: boolean;
  /** Facts behind the verdict, safe to record: hosts, versions, policy modes. */
  reasons: string[];
  /** The probed MX offers REQUIRETLS (RFC 8689) over verified TLS, so delivery may ask for it. */
  requireTls?: boolean;
}

/**
 * Combines a probe of one MX with the domain's MTA-STS policy. The probe decides by itself;
 * an MTA-STS policy in enforce mode also refuses an MX it does not list (RFC 8461 section 5),
 * while testing mode only notes it. A policy that could not be read changes nothing, as
 * RFC 8461 section 5.1 treats it like no policy, but is noted.
 */
export function assessTls(
  probe: TlsProbeResult,
  mtaSts: MtaStsResult,
  mxHost: string,
): TlsAssessment {
  const reasons: string[] = [];
  let usable = true;
  if (probe.failure) {
    usable = false;
    reasons.push(probe.failure.reason);
  } else {
    reasons.push(
      `${probe.servername} offers ${probe.tlsVersion ?? 'TLS'} with a verified certificate`,
    );
  }

  switch (mtaSts.kind) {
    case 'none':
      break;
    case 'error':
      reasons.push(mtaSts.reason);
      break;
    case 'policy': {
      const listed = mxMatchesPolicy(mxHost, mtaSts.mx);
      if (mtaSts.mode === 'enforce' && !listed) {
        usable = false;
        reasons.push(`MTA-STS enforce: ${mxHost} not listed`);
      } else if (mtaSts.mode === 'testing' && !listed) {
        reasons.push(`MTA-STS testing: ${mxHost} not listed`);
      } else if (mtaSts.mode !== 'none') {
        reasons.push(`MTA-STS ${mtaSts.mode}: ${mxHost} listed`);
      }
      break;
    }
  }
  return { usable, reasons, requireTls: usable && probe.requireTls };
}
