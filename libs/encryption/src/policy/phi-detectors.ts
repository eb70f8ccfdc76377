import { type PhiDetectorSettings } from './encryption-policy';
import { checkPolicyRegex } from './policy-regex.util';

/**
 * Only the first million characters of a text are scanned. JavaScript cannot interrupt a
 * running regular expression, and admin patterns run on the worker's event loop, so the input
 * bounds the time one message can take even for a pattern that backtracks badly. PHI that
 * appears only beyond that point is missed; organisations that cannot accept this keep the
 * default `always` mode, which needs no detector.
 */
export const MAX_SCANNED_CHARS = 1_000_000;

/** A detector that is compiled once per policy and then run on many texts. */
interface PhiDetector {
  readonly name: string;
  readonly matches: (text: string) => boolean;
}

/** The detectors of one policy, compiled; build with `compilePhiDetectors`. */
export interface CompiledPhiDetectors {
  readonly detectors: readonly PhiDetector[];
}

// Area 000, 666 and 9xx, group 00 and serial 0000 are never issued (SSA numbering rules).
// Neighbouring word characters or hyphens mean a longer identifier, not an SSN.
const SSN = /(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])/;

// Letter, two digits, optional dot and up to four characters (E11.9, J45, S72.001A). Case
// sensitive, since codes are written upper case and lower case would match ordinary text like
// `e11`; neighbours that extend an identifier (A10-3, B12/4, x.A10) rule a match out.
const ICD10 = /(?<![\w./-])[A-Z]\d{2}(?:\.[A-Z\d]{1,4})?(?![\w/-]|\.\w)/;

const MONTH = String.raw`(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?`;
const DATE = [
  String.raw`\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})`, // 01/02/1980, 1.2.80
  String.raw`\d{4}-\d{1,2}-\d{1,2}`, // 1980-02-01
  String.raw`\d{1,2}\s${MONTH}\s\d{4}`, // 3 March 1980
  String.raw`${MONTH}\s\d{1,2},?\s\d{4}`, // March 3, 1980
]
  .map((form) => `(?<!\\d)(?:${form})(?!\\d)`)
  .join('|');

const DOB_KEYWORD = String.raw`\bDOB\b|\bD\.O\.B\b\.?|\bdate\sof\sbirth\b|\bbirth\s?date\b`;

// Keywords that name a date of birth by themselves: `DOB: 01/02/1980`, `date of birth 1980-02-01`.
const DOB_WITH_DATE = new RegExp(
  String.raw`(?:${DOB_KEYWORD})[\s:#.-]{0,4}(?:is\s)?(?:${DATE})`,
  'i',
);

// `born` is common enough in letters that it only counts with a date and a name close by.
const BORN_WITH_DATE = new RegExp(String.raw`\bborn(?:\son)?[\s:,-]{1,4}(?:${DATE})`, 'gi');

// Two capitalised words (`Jane Doe`, `O'Brien Smith-Jones`, `Doe, Jane`), each at most 31
// letters per part so that the window around a date can be bounded.
const NAME_WORD = String.raw`\p{Lu}\p{Ll}{1,30}(?:['’-]\p{Lu}?\p{Ll}{1,30})?`;
const NAME = new RegExp(String.raw`(?<![\p{L}'’-])${NAME_WORD},?[ \t]${NAME_WORD}(?!\p{L})`, 'gu');
const MAX_NAME_LENGTH = 2 * (1 + 30 + 1 + 1 + 30) + 2;

/** How far, in characters, a name may be from `born <date>` for the two to count as one fact. */
const NAME_DISTANCE = 40;

/**
 * Date of birth near a name. Two heuristics: a DOB keyword (`DOB`, `D.O.B.`, `date of birth`,
 * `birth date`) directly followed by a date counts alone; `born <date>` counts when a
 * capitalised two-word name ends or starts within 40 characters of it. A bare date next to a
 * name does not count: appointment letters are full of those.
 */
export function hasDateOfBirthNearName(text: string): boolean {
  if (DOB_WITH_DATE.test(text)) {
    return true;
  }

  for (const born of text.matchAll(BORN_WITH_DATE)) {
    const start = born.index;
    const end = start + born[0].length;
    // One more than the longest name, so a name cut by the window is always too far away.
    const from = Math.max(0, start - NAME_DISTANCE - MAX_NAME_LENGTH - 1);
    const window = text.slice(from, end + NAME_DISTANCE + MAX_NAME_LENGTH + 1);

    for (const name of window.matchAll(NAME)) {
      const nameStart = from + name.index;
      const nameEnd = nameStart + name[0].length;
      const gap = Math.max(start - nameEnd, nameStart - end, 0);
      if (gap <= NAME_DISTANCE) {
        return true;
      }
    }
  }
  return false;
}

/**
 * Compiles the detectors a policy turns on. A pattern that does not pass the policy checks
 * (only possible for a policy stored without `validatePolicy`) matches every text: a broken
 * detector must lead to protection, never to plain delivery.
 */
export function compilePhiDetectors(settings: PhiDetectorSettings): CompiledPhiDetectors {
  const detectors: PhiDetector[] = [];
  if (settings.ssn) {
    detectors.push({ name: 'ssn', matches: (text) => SSN.test(text) });
  }
  if (settings.dateOfBirthNearName) {
    detectors.push({ name: 'date-of-birth-near-name', matches: hasDateOfBirthNearName });
  }
  if (settings.icd10) {
    detectors.push({ name: 'icd10', matches: (text) => ICD10.test(text) });
  }

  settings.medicalRecordNumbers.forEach((source, index) => {
    detectors.push(compileAdminPattern(`medical-record-number[${index}]`, source));
  });
  settings.custom.forEach((source, index) => {
    detectors.push(compileAdminPattern(`custom[${index}]`, source));
  });
  return { detectors };
}

/**
 * Names the detectors that match the text, in policy order. Never returns what matched: the
 * names are recorded as reasons, and the matched text is PHI.
 */
export function detectPhi(text: string, compiled: CompiledPhiDetectors): string[] {
  const scanned = text.length > MAX_SCANNED_CHARS ? text.slice(0, MAX_SCANNED_CHARS) : text;
  return compiled.detectors
    .filter((detector) => detector.matches(scanned))
    .map((detector) => detector.name);
}

function compileAdminPattern(name: string, source: string): PhiDetector {
  const check = checkPolicyRegex(source);
  if (!check.ok) {
    return { name, matches: () => true };
  }

  const { regex } = check;
  return { name, matches: (text) => regex.test(text) };
}
