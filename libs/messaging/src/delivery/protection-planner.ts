import { Injectable, Optional } from '@nestjs/common';
import {
  decideMethod,
  type MethodDecision,
  OrganisationKeysService,
  type OrganisationPgpMaterial,
  OrganisationSmimeService,
  PolicyService,
  policyNamesGroups,
  RecipientDirectoryService,
  requiresProtection,
  SenderGroups,
  type CmsSigner,
  type UsableCertificate,
} from '@sealpost/encryption';
import { parseMailbox } from '../messages/mailbox';
import { RouteError, RouteResolver, type Route } from './route-resolver';
import { type TlsCapability, TlsCapabilityService } from './tls-capability.service';

export interface PlanFacts {
  organisationId: string;
  from: string;
  subject: string;
  headers: Record<string, string>;
  text?: string;
  html?: string;
  recipient: { address: string; domain: string };
}

export interface ProtectionPlan {
  decision: MethodDecision;
  protectionRequired: boolean;
  /** Why protection is or is not required: rule names, never content. */
  protectionReasons: string[];
  subject: string;
  route: Route | null;
  /**
   * Ask the first server for REQUIRETLS (RFC 8689): only for the `tls` method, and only when
   * its probe saw the extension offered over verified TLS.
   */
  requireTls: boolean;
  pgpKey?: string;
  /** The organisation's archive and signing keys, read only when PGP is the method. */
  organisationPgp?: OrganisationPgpMaterial;
  certificate?: UsableCertificate;
  /** The organisation's S/MIME signing identity, read only when S/MIME is the method. */
  smimeSigner?: CmsSigner;
}

// Every recipient has a mailbox for the notice, so the portal is always a way to reach one;
// the policy's method order and domain overrides decide whether it is used.
const PORTAL_AVAILABLE = true;

/**
 * Decides, for one recipient at one moment, whether the message must be protected and by
 * which method, with the reasons. Delivery acts on it; the preview endpoint only shows it.
 */
@Injectable()
export class ProtectionPlanner {
  constructor(
    private readonly policies: PolicyService,
    private readonly directory: RecipientDirectoryService,
    private readonly organisationKeys: OrganisationKeysService,
    private readonly organisationSmime: OrganisationSmimeService,
    private readonly routes: RouteResolver,
    private readonly tls: TlsCapabilityService,
    @Optional() private readonly senderGroups?: SenderGroups,
  ) {}

  async plan(facts: PlanFacts): Promise<ProtectionPlan> {
    const { organisationId, recipient } = facts;
    const policy = await this.policies.forOrganisation(organisationId);
    // Only a policy with group rules pays for the directory lookup.
    const senderGroups =
      this.senderGroups && policyNamesGroups(policy)
        ? await this.senderGroups.groupsOf(
            organisationId,
            parseMailbox(facts.from)?.address ?? facts.from,
          )
        : undefined;
    const requirement = requiresProtection(policy, {
      from: facts.from,
      subject: facts.subject,
      headers: facts.headers,
      text: facts.text,
      html: facts.html,
      recipientDomain: recipient.domain,
      senderGroups,
    });

    const [{ pgp, smime }, routed] = await Promise.all([
      this.directory.lookup(organisationId, recipient.address),
      this.routeWithTls(recipient.domain),
    ]);
    const decided = decideMethod({
      policy,
      protectionRequired: requirement.required,
      recipientDomain: recipient.domain,
      pgp: pgp.usable
        ? { usable: true, reason: pgp.reason }
        : { usable: false, reason: pgp.reason },
      smime: smime.usable ? { usable: true } : { usable: false, reason: smime.reason },
      tls: routed.tls,
      portalAvailable: PORTAL_AVAILABLE,
    });
    const requireTls = decided.method === 'tls' && routed.tls.requireTls === true;
    const decision = requireTls
      ? { ...decided, reasons: [...decided.reasons, 'REQUIRETLS offered: requested'] }
      : decided;
    const organisationPgp =
      decision.method === 'pgp'
        ? await this.organisationKeys.forDelivery(organisationId)
        : undefined;
    const smimeSigner =
      decision.method === 'smime'
        ? await this.organisationSmime.signerFor(organisationId)
        : undefined;
    return {
      decision,
      organisationPgp,
      smimeSigner,
      protectionRequired: requirement.required,
      protectionReasons: [...requirement.reasons],
      subject: requirement.subjectAfterTags,
      route: routed.route,
      requireTls,
      pgpKey: pgp.usable ? pgp.material : undefined,
      certificate: smime.usable ? smime.material : undefined,
    };
  }

  private async routeWithTls(domain: string): Promise<{ route: Route | null; tls: TlsCapability }> {
    try {
      const route = await this.routes.resolve(domain);
      return { route, tls: await this.tls.assess(domain, route) };
    } catch (error) {
      if (error instanceof RouteError) {
        return { route: null, tls: { usable: false, reasons: [error.message] } };
      }
      throw error;
    }
  }
}
