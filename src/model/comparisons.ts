/** Reads the simple shape most guards have (`a >= 1000000 and region = "east"`, `x <= amount * 0.02`) without evaluating them. */

export type ComparisonOp = '>=' | '<=' | '!=' | '>' | '<' | '=';

export interface Comparison {
  field: string;
  op: ComparisonOp;
  /** A literal, or another field scaled by an arithmetic step. */
  value: { literal: string | number | boolean | null } | { field: string; arith?: { op: '*' | '/' | '+' | '-'; by: number } };
}

const ATOM = /^\s*\(?\s*([A-Za-z][A-Za-z0-9_]*)\s*(>=|<=|!=|>|<|=)\s*(-?\d+(?:\.\d+)?|"[^"]*"|true|false|null|[A-Za-z][A-Za-z0-9_]*(?:\s*[*/+-]\s*\d+(?:\.\d+)?)?)\s*\)?\s*$/;

/**
 * The expression as a disjunction of conjunctions of comparisons, or undefined when it has any other
 * shape (functions, paths, parentheses across `and`/`or`...).
 */
export function parseComparisons(source: string): Comparison[][] | undefined {
  const text = source.trim().replace(/^=/, '');
  const out: Comparison[][] = [];
  for (const side of text.split(/\bor\b/)) {
    const conj: Comparison[] = [];
    for (const part of side.split(/\band\b/)) {
      const m = ATOM.exec(part);
      if (!m) return undefined;
      const [, field, op, raw] = m as unknown as [string, string, ComparisonOp, string];
      let value: Comparison['value'];
      if (raw.startsWith('"')) value = { literal: raw.slice(1, -1) };
      else if (raw === 'true' || raw === 'false') value = { literal: raw === 'true' };
      else if (raw === 'null') value = { literal: null };
      else if (/^-?\d/.test(raw)) value = { literal: Number(raw) };
      else {
        const e = /^([A-Za-z][A-Za-z0-9_]*)(?:\s*([*/+-])\s*(\d+(?:\.\d+)?))?$/.exec(raw)!;
        value = e[2] ? { field: e[1]!, arith: { op: e[2] as '*' | '/' | '+' | '-', by: Number(e[3]) } } : { field: e[1]! };
      }
      conj.push({ field, op, value });
    }
    out.push(conj);
  }
  return out;
}
