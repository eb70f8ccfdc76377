export interface SubjectTagScan {
  /** Tags from the list that occur in the subject. */
  readonly found: ReadonlySet<string>;
  /** The subject without any of the tags, spaces collapsed where a tag was cut out. */
  readonly subject: string;
}

/**
 * Finds policy tags in a subject, case-insensitively, and cuts them all out: tags instruct
 * Sealpost and must not reach the recipient. A tag edge that is a letter or digit must meet a
 * non-word character, so a tag `secure` neither matches nor mangles `Insecure`.
 */
export function scanSubjectTags(subject: string, tags: readonly (string | null)[]): SubjectTagScan {
  const found = new Set<string>();
  let remaining = subject;

  for (const tag of tags) {
    if (tag === null || tag.trim() === '') {
      continue;
    }

    const pattern = tagPattern(tag.trim());
    if (remaining.search(pattern) >= 0) {
      found.add(tag);
      remaining = remaining.replace(pattern, ' ');
    }
  }

  const cleaned = found.size > 0 ? remaining.replace(/\s{2,}/g, ' ').trim() : subject;
  return { found, subject: cleaned };
}

function tagPattern(tag: string): RegExp {
  const escaped = tag.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const before = /^[\p{L}\p{N}_]/u.test(tag) ? '(?<![\\p{L}\\p{N}_])' : '';
  const after = /[\p{L}\p{N}_]$/u.test(tag) ? '(?![\\p{L}\\p{N}_])' : '';
  return new RegExp(`${before}${escaped}${after}`, 'giu');
}
