/** The YAML reader: source text to a located, validated ProcessDefinition. */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode, type Scalar } from 'yaml';
import type { z } from 'zod';
import { didYouMean, templateError, type Issue, type PathSegment } from '../errors/index.js';
import { FORBIDDEN_KEYS, type ProcessDefinition } from '../model/index.js';
import { compileDefinition, type Locator } from './compile-definition.js';
import { KNOWN_KEYS, templateSchema } from './template-schema.js';

/** Largest template source accepted (characters). */
export const MAX_TEMPLATE_SIZE = 2_000_000;

export function parseYamlTemplate(source: string, fileName?: string): ProcessDefinition {
  const where = (line?: number, column?: number, path?: PathSegment[]): Partial<Issue> => {
    const w: Partial<Issue> = {};
    if (fileName !== undefined) w.file = fileName;
    if (line !== undefined) w.line = line;
    if (column !== undefined) w.column = column;
    if (path !== undefined) w.path = path;
    return w;
  };
  if (typeof source !== 'string') throw templateError([{ message: 'template source must be a string', ...where() }]);
  if (source.length > MAX_TEMPLATE_SIZE) {
    throw templateError([{ message: `template is ${source.length} characters, over the limit of ${MAX_TEMPLATE_SIZE}`, fix: 'split the process, or remove what it does not need', ...where(1, 1, []) }], 'LIMIT_EXCEEDED');
  }
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(source, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true, logLevel: 'silent' });
  } catch (e) {
    throw templateError([{ message: `YAML could not be read: ${(e as Error).message}`, ...where() }]);
  }
  const pos = (offset: number) => lineCounter.linePos(offset);
  if (doc.errors.length > 0) {
    throw templateError(doc.errors.map((e) => {
      const p = pos(e.pos[0]);
      return { message: `YAML syntax: ${e.message.split('\n')[0]}`, fix: 'correct the YAML at that place (indentation, quotes, a colon after each key)', ...where(p.line, p.col) };
    }));
  }

  const forbidden: Issue[] = [];
  const complexKey = firstComplexKey(doc.contents, []);
  if (complexKey) {
    const p = pos(complexKey.offset);
    forbidden.push({ message: 'a key is a list or a mapping; template keys are plain names', fix: 'write the key as a plain name (no `? [a, b]` keys)', ...where(p.line, p.col, complexKey.path) });
  }
  walkKeys(doc.contents, [], (key, path, node) => {
    if (FORBIDDEN_KEYS.has(key)) {
      const p = pos(node.range?.[0] ?? 0);
      forbidden.push({ message: `key "${key}" is not allowed anywhere in a template`, fix: 'remove it', ...where(p.line, p.col, path) });
    }
  });
  if (forbidden.length) throw templateError(forbidden);

  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    const alias = firstAlias(doc.contents, []);
    const p = alias ? pos(alias.offset) : undefined;
    throw templateError([{
      message: `YAML aliases expand too far: ${(e as Error).message}`, fix: 'write the repeated parts out instead of using many aliases',
      ...where(p?.line, p?.col, alias?.path),
    }], 'LIMIT_EXCEEDED');
  }
  if (typeof js !== 'object' || js === null || Array.isArray(js)) {
    throw templateError([{ message: 'a template is a YAML mapping (id, version, name, lossReasons, stages, ...)', fix: 'start from templates/b2b-standard.yaml or docs/template-format.md', ...where(1, 1, []) }]);
  }

  const locate: Locator = (path, offsetInScalar) => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as YamlNode | undefined;
      if (node && (node as { range?: unknown }).range) {
        let start = node.range![0];
        if (n === path.length && offsetInScalar !== undefined && isScalar(node)) start += scalarOffset(source, node, offsetInScalar);
        const p = pos(start);
        return { line: p.line, column: p.col };
      }
    }
    return {};
  };
  const locateKey = (path: PathSegment[], key: string): { line?: number; column?: number } => {
    const map = doc.getIn(path, true);
    if (isMap(map)) {
      for (const pair of map.items) {
        if (isScalar(pair.key) && String(pair.key.value) === key && pair.key.range) {
          const p = pos(pair.key.range[0]);
          return { line: p.line, column: p.col };
        }
      }
    }
    return locate(path);
  };

  const parsed = templateSchema.safeParse(js);
  if (!parsed.success) {
    throw templateError(parsed.error.issues.flatMap((issue) => zodIssueToIssues(issue, locate, locateKey, fileName)));
  }
  return compileDefinition(parsed.data, fileName === undefined ? { locate } : { file: fileName, locate });
}

/** Where in the source a character of a scalar's value stands: follows the value through quotes, escapes and block indentation. */
function scalarOffset(source: string, node: Scalar, offset: number): number {
  const [from, to] = node.range!;
  const text = source.slice(from, to);
  const value = String(node.value);
  let at = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED' ? text.indexOf('\n') + 1 : node.type === 'PLAIN' ? 0 : 1;
  for (let i = 0; i <= offset && i < value.length; i++) {
    const ch = value[i]!;
    if (/\s/.test(ch)) continue;
    const j = text.indexOf(ch, at);
    if (j < 0) break;
    if (i === offset) return j;
    at = j + 1;
  }
  return at;
}

/** The first key that is not a scalar (`? [a, b]`), which the template format has no use for. */
function firstComplexKey(node: unknown, path: PathSegment[]): { offset: number; path: PathSegment[] } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (pair.key !== null && !isScalar(pair.key)) return { offset: (pair.key as YamlNode).range?.[0] ?? 0, path };
      const hit = firstComplexKey(pair.value, [...path, isScalar(pair.key) ? String(pair.key.value) : '?']);
      if (hit) return hit;
    }
  } else if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      const hit = firstComplexKey(node.items[i], [...path, i]);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** The first alias in the document, for locating an alias bomb. */
function firstAlias(node: unknown, path: PathSegment[]): { offset: number; path: PathSegment[] } | undefined {
  if (isAlias(node)) return { offset: node.range?.[0] ?? 0, path };
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const hit = firstAlias(pair.value, [...path, key]);
      if (hit) return hit;
    }
  } else if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      const hit = firstAlias(node.items[i], [...path, i]);
      if (hit) return hit;
    }
  }
  return undefined;
}

function walkKeys(node: unknown, path: PathSegment[], cb: (key: string, path: PathSegment[], node: YamlNode) => void): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (isScalar(pair.key)) cb(key, [...path, key], pair.key);
      walkKeys(pair.value, [...path, key], cb);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => walkKeys(item, [...path, i], cb));
  }
}

const TEXT_KEYS = new Set(['name', 'title', 'guidance', 'message', 'label']);

function zodIssueToIssues(
  issue: z.core.$ZodIssue,
  locate: Locator,
  locateKey: (path: PathSegment[], key: string) => { line?: number; column?: number },
  file: string | undefined,
): Issue[] {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) as PathSegment[];
  const base = (p: PathSegment[], at: { line?: number; column?: number }, message: string, fix?: string): Issue => {
    const out: Issue = { message, path: p };
    if (fix !== undefined) out.fix = fix;
    if (file !== undefined) out.file = file;
    if (at.line !== undefined) out.line = at.line;
    if (at.column !== undefined) out.column = at.column;
    return out;
  };
  const last = path[path.length - 1];
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => {
      const guess = didYouMean(k, KNOWN_KEYS);
      return base([...path, k], locateKey(path, k), `unknown key "${k}"`, `remove it${guess ? `, or did you mean "${guess}"?` : ''} (see docs/template-format.md)`);
    });
  }
  if (issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined) {
    return [base(path, locate(path), `missing required key "${String(last)}"`, `add \`${String(last)}:\` here`)];
  }
  if (issue.code === 'invalid_union' && typeof last === 'string' && TEXT_KEYS.has(last)) {
    return [base(path, locate(path), `"${last}" must be a text: a string, or { en: ..., zh: ... }`, 'write e.g. `name: { en: Proposal, zh: 方案报价 }`')];
  }
  if (issue.code === 'invalid_union' && (last === 'due' || last === 'within' || last === 'idleAfter')) {
    return [base(path, locate(path), `"${String(last)}" must be an ISO 8601 duration or { businessDays: N }`, 'write e.g. `P3D`, `PT4H`, or `{ businessDays: 2 }`')];
  }
  return [base(path, locate(path), `${String(last ?? 'template')}: ${issue.message}`, 'see docs/template-format.md for the format')];
}
