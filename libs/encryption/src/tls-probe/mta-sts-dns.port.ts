import { Resolver } from 'node:dns/promises';
import { Injectable } from '@nestjs/common';

/** The TXT lookup of MTA-STS behind a port, so tests answer with fixed records. */
export abstract class MtaStsDnsPort {
  /** The TXT records at `name`, each as its character strings; [] when the name has none. */
  abstract resolveTxt(name: string): Promise<string[][]>;
}

// Two tries of 5 s bound one lookup at about 10 s, well inside the resolver's own guard.
const DNS_TIMEOUT_MS = 5_000;
const DNS_TRIES = 2;

/** Answers "no records" and "no such name" alike, since both mean the domain has no policy. */
const ABSENT_CODES = new Set(['ENODATA', 'ENOTFOUND']);

@Injectable()
export class SystemMtaStsDns extends MtaStsDnsPort {
  private readonly resolver = new Resolver({ timeout: DNS_TIMEOUT_MS, tries: DNS_TRIES });

  async resolveTxt(name: string): Promise<string[][]> {
    try {
      return await this.resolver.resolveTxt(name);
    } catch (error) {
      if (ABSENT_CODES.has((error as NodeJS.ErrnoException).code ?? '')) {
        return [];
      }
      throw error;
    }
  }
}
