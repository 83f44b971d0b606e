/**
 * Plain-text rendering of verdicts for an 80-column terminal or a log: per subject a header
 * (outcome, kind, name) and a line with the rule, mode and digest, then one entry per check,
 * wrapped under its id; a closing summary line. What a check establishes comes first; the
 * account of what was and was not checked is shown with `verbose`, each repeated sentence once.
 */
import type { CheckResult, Verdict } from '../verify/verdict.js';
import { escapeLines, escapeTerminal } from '../util/escape.js';

/** Options for {@link renderVerdictText}. */
export interface VerdictTextOptions {
  /** Also show what each check did and did not check, the full digest, and notes. */
  verbose?: boolean;
  /** Line width to wrap at (default 80). Words longer than a line (ARNs, digests) are never cut. */
  width?: number;
  /** The policy file as the user named it, shown with the rule's line (`policy.yaml:12`). */
  policyPath?: string;
}

const MARK = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP' } as const;
/** Sentences shorter than this are repeated rather than turned into a note. */
const NOTE_MIN = 40;
/** Continuation lines of a check start under its id. */
const INDENT = ' '.repeat(7);

/**
 * Split a detail into what the check established and its account of what was checked (the
 * `Checked: …` / `Not checked: …` sentences some checks add), which only `verbose` shows.
 */
export function splitDetail(detail: string): { headline: string; account: string[] } {
  const parts = detail.split(/(?<=[.)])\s+(?=(?:Checked|Not checked):)/);
  return { headline: parts[0] ?? '', account: parts.slice(1) };
}

/** The mode prefix applyMode adds (`[warn] `) repeats what the mark and header say. */
function withoutModePrefix(detail: string): string {
  return detail.replace(/^\[(?:warn|audit)\] /, '');
}

/**
 * Wrap `text` to `width` columns: the first line after `first`, the rest after `indent`.
 * Breaks only at spaces; a word longer than the room stays whole on its own line.
 */
export function wrap(first: string, text: string, width: number, indent = INDENT): string[] {
  const words = text.split(/ +/).filter((w) => w !== '');
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const w of words) {
    const sep = empty ? '' : ' ';
    if (!empty && line.length + 1 + w.length > width) {
      lines.push(line);
      line = indent + w;
    } else line += sep + w;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/**
 * Functions show their version qualifier (`orders-api:2`) so published versions stay apart; a
 * function's image also names the function version that runs it.
 */
export function displayName(v: Verdict): string {
  const { kind, name, arn } = v.subject;
  const fn = arn ? /:function:([^:]+)(?::([^:]+))?$/.exec(arn) : null;
  if (!fn) return name;
  const qualifier = fn[2];
  if (kind === 'image') return `${name} (function ${fn[1]}${qualifier ? `:${qualifier}` : ''})`;
  if (kind !== 'function') return name;
  return qualifier && !name.endsWith(`:${qualifier}`) ? `${name}:${qualifier}` : name;
}

const SECTION = { function: 'Functions', image: 'Images', layer: 'Layers' } as const;

/** `OK`, `WARN` (passed with warnings) or `FAIL` for a verdict. */
export function verdictMark(v: Verdict): 'OK  ' | 'WARN' | 'FAIL' {
  if (!v.ok) return 'FAIL';
  return v.checks.some((c) => c.outcome === 'warn') ? 'WARN' : 'OK  ';
}

function ruleText(v: Verdict, opts: VerdictTextOptions): string {
  if (!v.rule) {
    const undecided = v.checks.some((c) => c.kind === 'rule');
    return undecided ? 'rule: undecided' : "rule: none (the policy's default)";
  }
  const at =
    v.rule.line === undefined
      ? ''
      : opts.policyPath !== undefined
        ? ` at ${escapeTerminal(opts.policyPath)}:${v.rule.line}`
        : ` (line ${v.rule.line})`;
  return `rule: ${v.rule.section}[${v.rule.index}]${at}`;
}

/** Notes: sentences that several checks repeat, printed once and referred to by number. */
class Notes {
  readonly #index = new Map<string, number>();
  readonly #counts = new Map<string, number>();

  constructor(verdicts: readonly Verdict[]) {
    for (const v of verdicts)
      for (const c of v.checks)
        for (const s of splitDetail(withoutModePrefix(c.detail)).account)
          this.#counts.set(s, (this.#counts.get(s) ?? 0) + 1);
  }

  /** The sentence itself when it appears once (or is short), else a reference to its note. */
  ref(sentence: string): string {
    if ((this.#counts.get(sentence) ?? 0) < 2 || sentence.length < NOTE_MIN) return sentence;
    let n = this.#index.get(sentence);
    if (n === undefined) {
      n = this.#index.size + 1;
      this.#index.set(sentence, n);
    }
    return `[note ${n}]`;
  }

  lines(width: number): string[] {
    if (this.#index.size === 0) return [];
    const out = ['', 'Notes:'];
    for (const [s, n] of this.#index)
      out.push(...wrap(`  [${n}] `, escapeTerminal(s), width, '      '));
    return out;
  }
}

function checkLines(
  c: CheckResult,
  opts: Required<Pick<VerdictTextOptions, 'verbose' | 'width'>>,
  notes: Notes
): string[] {
  const { headline, account } = splitDetail(withoutModePrefix(c.detail));
  const parts = [headline, ...(opts.verbose ? account.map((s) => notes.ref(s)) : [])];
  const text = parts.map((p) => escapeTerminal(p)).join(' ');
  return wrap(`  ${MARK[c.outcome]} ${escapeTerminal(c.id)}: `, text, opts.width);
}

/** A stable key of what a verdict block says, so the same verdict is shown once. */
function blockKey(lines: readonly string[]): string {
  return lines.join('\n');
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The closing line: `N layers, N functions: N failed, N warned, N passed` (subjects; warned
 * means it passed with warnings).
 */
export function verdictSummary(verdicts: readonly Verdict[]): string {
  const layers = verdicts.filter((v) => v.subject.kind === 'layer').length;
  const images = verdicts.filter((v) => v.subject.kind === 'image').length;
  const functions = verdicts.length - layers - images;
  const failed = verdicts.filter((v) => !v.ok).length;
  const warned = verdicts.filter((v) => verdictMark(v) === 'WARN').length;
  const counted = `${plural(layers, 'layer', 'layers')}, ${plural(functions, 'function', 'functions')}`;
  // Images are named only when there are some, so layer and function reports read as before.
  const subjects = images > 0 ? `${plural(images, 'image', 'images')}, ${counted}` : counted;
  return `${subjects}: ${failed} failed, ${warned} warned, ${verdicts.length - failed - warned} passed`;
}

/** Render verdicts for a terminal or a log (pure; untrusted text is escaped). */
export function renderVerdictText(
  verdicts: readonly Verdict[],
  options: VerdictTextOptions = {}
): string {
  const opts = { verbose: options.verbose ?? false, width: options.width ?? 80 };
  const notes = new Notes(opts.verbose ? verdicts : []);
  const out: string[] = [];
  const shown = new Set<string>();
  const unique: Verdict[] = [];
  // Images among functions and layers (`verify --all`) get a heading per kind.
  const kinds = new Set(verdicts.map((v) => v.subject.kind));
  const sections = kinds.has('image') && kinds.size > 1;
  let section: Verdict['subject']['kind'] | undefined;
  for (const v of verdicts) {
    const sha = v.subject.sha256;
    const block = [
      `${verdictMark(v)} ${v.subject.kind} ${escapeTerminal(displayName(v))}`,
      ...wrap(
        INDENT.slice(2),
        [
          `${ruleText(v, options)},`,
          `mode: ${v.mode}${sha || v.subject.digest ? ',' : ''}`,
          ...(sha ? [`sha256:${opts.verbose ? sha : `${sha.slice(0, 12)}…`}`] : []),
          ...(!sha && v.subject.digest
            ? [opts.verbose ? v.subject.digest : `${v.subject.digest.slice(0, 19)}…`]
            : []),
        ].join(' '),
        opts.width,
        INDENT.slice(2)
      ),
      ...v.checks.flatMap((c) => checkLines(c, opts, notes)),
    ];
    // The same subject verified twice in one run (a layer several functions use) shows once.
    const key = blockKey(block);
    if (shown.has(key)) continue;
    shown.add(key);
    unique.push(v);
    if (out.length > 0) out.push('');
    if (sections && v.subject.kind !== section) {
      section = v.subject.kind;
      const n = verdicts.filter((x) => x.subject.kind === section).length;
      out.push(`${SECTION[section]} (${n}):`, '');
    }
    out.push(...block);
  }
  out.push(...notes.lines(opts.width));
  out.push('', verdictSummary(unique));
  // Every field was escaped as it was placed; escaping again is a no-op that guards the rest.
  return escapeLines(out).join('\n') + '\n';
}
