/** The one error class of winpath: a stable `code` to branch on, `details` saying where. */

/** Every error code with one line of summary; `docs/errors.md` has a section per code. */
export const ERROR_CODES = {
  TEMPLATE_INVALID: 'A template (YAML or BPMN) breaks the format or its rules; details name file, line, column and path.',
  UNSUPPORTED_BPMN: 'A BPMN element outside the mapping winpath understands.',
  EXPRESSION_INVALID: 'A FEEL expression given at run time does not parse or uses something outside the subset.',
  INPUT_INVALID: 'A command argument is missing, of the wrong type, unknown or over a size limit.',
  GUARD_FAILED: 'The deal may not move: details.unmet lists every requirement that does not hold.',
  NOT_FOUND: 'No deal, task, approval or template with that id.',
  CONCURRENCY_CONFLICT: 'The deal changed since it was read; nothing was written. Re-read and retry.',
  FORBIDDEN: 'The actor may not do this (template permissions, or a requester deciding its own approval).',
  LIMIT_EXCEEDED: 'An input or an evaluation went over a size, depth or time limit.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export type PathSegment = string | number;

/** One located problem; a template with several problems reports all of them in `details.issues`. */
export interface Issue {
  message: string;
  fix?: string;
  file?: string;
  line?: number;
  column?: number;
  path?: PathSegment[];
}

export interface UnmetRequirement {
  kind: 'field' | 'deliverable' | 'task' | 'approval' | 'check' | 'transition';
  key: string;
  message: string;
}

export interface ErrorDetails {
  file?: string;
  line?: number;
  column?: number;
  path?: PathSegment[];
  fix?: string;
  issues?: Issue[];
  unmet?: UnmetRequirement[];
  [key: string]: unknown;
}

/** Writes a path as `stages[1].requires.fields[2]`. */
export function formatPath(path: readonly PathSegment[] | undefined): string {
  if (!path || path.length === 0) return '';
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** Formats "where" of an issue: `file:line:column (path)`. */
export function formatLocation(where: { file?: string; line?: number; column?: number; path?: readonly PathSegment[] }): string {
  const parts: string[] = [];
  let place = where.file ?? '';
  if (where.line !== undefined) place += `${place ? ':' : 'line '}${where.line}${where.column !== undefined ? `:${where.column}` : ''}`;
  if (place) parts.push(place);
  const p = formatPath(where.path);
  if (p) parts.push(place ? `(${p})` : p);
  return parts.join(' ');
}

export class WinpathError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(`[${code}] ${message}${renderTail(details)}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WinpathError';
    this.code = code;
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

function renderTail(d: ErrorDetails): string {
  let tail = '';
  const loc = formatLocation(d);
  if (loc) tail += `\n  at ${loc}`;
  if (d.fix) tail += `\n  fix: ${d.fix}`;
  const more = (d.issues?.length ?? 0) - 1;
  if (more > 0) tail += `\n  (${more} more problem${more > 1 ? 's' : ''} in details.issues)`;
  return tail;
}

/** Builds a TEMPLATE_INVALID error carrying every issue, the first one in the message. */
export function templateError(issues: Issue[], code: 'TEMPLATE_INVALID' | 'UNSUPPORTED_BPMN' | 'LIMIT_EXCEEDED' = 'TEMPLATE_INVALID'): WinpathError {
  const first = issues[0] ?? { message: 'template is invalid' };
  const details: ErrorDetails = { issues };
  if (first.file !== undefined) details.file = first.file;
  if (first.line !== undefined) details.line = first.line;
  if (first.column !== undefined) details.column = first.column;
  if (first.path !== undefined) details.path = first.path;
  if (first.fix !== undefined) details.fix = first.fix;
  return new WinpathError(code, first.message, details);
}

export function isWinpathError(e: unknown, code?: ErrorCode): e is WinpathError {
  return e instanceof WinpathError && (code === undefined || e.code === code);
}

/** Suggests the closest known name ("did you mean ...?"), or nothing when none is close. */
export function didYouMean(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestD) { bestD = d; best = k; }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1. */
function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Math.abs(a.length - b.length) + 64;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
    }
    before = prev;
    prev = row;
  }
  return prev[b.length]!;
}
