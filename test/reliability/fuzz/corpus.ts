/**
 * The fuzz corpus: seed documents (the shipped templates, the test fixtures, generated templates) and the
 * mutations applied to them. `inputAt(i)` is deterministic in (seed, i), so any input can be rebuilt from its index.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { createRng, type Rng } from '../crash/random.js';

export type Format = 'yaml' | 'bpmn';

export interface SeedDoc {
  name: string;
  format: Format;
  text: string;
  /** How often it is drawn (small documents more often: they are cheap and reach the same code). */
  weight: number;
}

export interface FuzzInput {
  index: number;
  name: string;
  format: Format;
  text: string;
  /** The mutations applied, in order. */
  ops: string[];
}

const CHARS = [...':-{}[]"\'&<>\n\t #*!%@`|,?=/\\0123456789aZ_.', '\u0000', '\u202e', '\ud800', '😀', '中', '\r', '\u00a0', '\ufeff'];

const VALUES: unknown[] = [
  null, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, '', ' ', 'x'.repeat(5000), 'ℌ\u202eevil', '__proto__', 'constructor', true, [], {}, [[[]]], { a: 1 },
  'P-1D', 'P99999999999D', 'PT0S', '=amount >', 'user:', '<script>', '%', '${x}', '{title}{title}{owner}', '9'.repeat(400), { businessDays: 0 },
  { businessDays: 1e9 }, { quorum: 0 }, { quorum: 999 }, ['owner', 'owner'], 'owner', 'won', 'lost', { en: '' }, { xx: 'y' }, -0.0001, 101,
];

const KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', 'x'.repeat(300), 'stages ', 'Stages', 'key', 'when', 'onEnter',
  'requires', '<<', 'valueOf', 'outcome', 'permissions', 'fields', '0', 'true', 'null'];

/** Guards built to hurt: huge ranges, deep nesting, long strings, regex back-tracking, JS property names, parse bombs. */
export const HOSTILE_FEEL = [
  'for i in 1..100000000 return i', 'every x in 1..1000000000 satisfies x > 0', 'some x in 1..100000, y in 1..100000 satisfies x = y',
  'matches("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "^(a+)+$")', 'amount.constructor != null', 'title.length > 0', '__proto__ = null', 'constructor',
  'count([1..1000000]) > 0', 'sum(for i in 1..100000 return i) > 0', 'date("2026-13-45") > now', 'amount >>> 1', 'now() > today()',
  `${'('.repeat(500)}amount${')'.repeat(500)} > 0`, `${'not('.repeat(300)}true${')'.repeat(300)}`, 'amount > "100000"', `"${'x'.repeat(2500)}" = title`,
  'string length(title + title + title + title + title + title + title + title) > 0', '{a: title + title, b: a + a, c: b + b, d: c + c}.d = ""',
  'get value({}, "constructor") != null', 'context put({}, "__proto__", 1) != null', 'tasks.constructor = null', 'deliverables.__proto__ != null',
  `${Array.from({ length: 400 }, (_, i) => `amount > ${i}`).join(' and ')}`, 'if amount > 0 then "yes" else 1', 'x in [1, 2] and y', 'amount > 0 and',
  'sort([3, 1, 2], function(a, b) a < b) = [1, 2, 3]', '=', '==amount', 'amount > 0 // comment', 'null', '1..2', '[1..2]', 'now.constructor',
];

const YAML_LINES = ['__proto__: { polluted: true }', 'constructor: x', '<<: *a', 'a: &a [*a, *a]', 'x: !!js/function "() => 1"', '? complex key', '\tkey: tab',
  '%YAML 1.1', '---', '...', "'unterminated", 'key: "unterminated', '- - - - -', 'a: b: c', '&anchor', '*undefined_alias', '!!binary aGVsbG8=',
  'stages: []', 'id: ../../etc/passwd', 'version: 0777', 'version: 1.10', 'when: "amount > 0"', '- { key: won, outcome: won }', 'id: "\\u0000"'];

const BPMN_LINES = ['<!DOCTYPE x [<!ENTITY a "b">]>', '<!ENTITY a "b">', '&xxe;', '<![CDATA[ <bpmn:task/> ]]>', '<?pi data?>', '<wp:foo/>', '<bpmn:fooBar id="x"/>',
  'xmlns:wp="urn:winpath:bpmn:2"', '<bpmn:parallelGateway id="g"/>', '<bpmn:task id="t" name="&#0;"/>', '<bpmn:task id="dup"/><bpmn:task id="dup"/>',
  '</bpmn:process>', '<bpmn:process id="p2"/>', '<bpmn:sequenceFlow id="f" sourceRef="nowhere" targetRef="nothere"/>', '<x:unbound/>', '<notns/>',
  '<bpmn:conditionExpression>amount &gt;</bpmn:conditionExpression>', '<wp:stage key="won" outcome="won"/>'];

function lines(text: string): string[] {
  return text.split('\n');
}

function randomText(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += rng.pick(CHARS);
  return s;
}

/** Mutations on raw text, for either format. */
const TEXT_OPS: Record<string, (t: string, rng: Rng, other: () => string) => string> = {
  flip: (t, rng) => {
    const cs = [...t];
    for (let k = 1 + rng.int(8); k > 0 && cs.length; k--) cs[rng.int(cs.length)] = rng.pick(CHARS);
    return cs.join('');
  },
  delete: (t, rng) => {
    const at = rng.int(t.length + 1);
    return t.slice(0, at) + t.slice(at + 1 + rng.int(300));
  },
  insert: (t, rng) => {
    const at = rng.int(t.length + 1);
    return t.slice(0, at) + randomText(rng, 1 + rng.int(20)) + t.slice(at);
  },
  dupLines: (t, rng) => {
    const ls = lines(t);
    const from = rng.int(ls.length);
    const block = ls.slice(from, from + 1 + rng.int(20));
    ls.splice(from + block.length, 0, ...block);
    return ls.join('\n');
  },
  swapLines: (t, rng) => {
    const ls = lines(t);
    const a = rng.int(ls.length);
    const b = rng.int(ls.length);
    [ls[a], ls[b]] = [ls[b]!, ls[a]!];
    return ls.join('\n');
  },
  truncate: (t, rng) => t.slice(0, rng.int(t.length)),
  splice: (t, rng, other) => {
    const ls = lines(t);
    const os = lines(other());
    const from = rng.int(os.length);
    ls.splice(rng.int(ls.length + 1), 0, ...os.slice(from, from + 1 + rng.int(15)));
    return ls.join('\n');
  },
  repeatLine: (t, rng) => {
    const ls = lines(t);
    const at = rng.int(ls.length);
    ls.splice(at, 0, ...Array<string>(rng.pick([10, 200, 2000])).fill(ls[at] ?? ''));
    return ls.join('\n');
  },
  indent: (t, rng) => {
    const ls = lines(t);
    const from = rng.int(ls.length);
    const n = 1 + rng.int(10);
    const shift = rng.pick(['  ', ' ', '\t', '-']);
    for (let i = from; i < Math.min(ls.length, from + n); i++) ls[i] = rng.chance(0.5) ? shift + ls[i]! : ls[i]!.replace(/^ {1,2}/, '');
    return ls.join('\n');
  },
};

/** Structural mutations of a YAML document: parse, change one node, write it back. */
const parsedSeeds = new Map<string, unknown>();

function yamlOp(t: string, rng: Rng, op: string, isSeed: boolean): string | undefined {
  let doc: unknown;
  try {
    if (isSeed && parsedSeeds.has(t)) doc = structuredClone(parsedSeeds.get(t));
    else {
      doc = parseYaml(t, { maxAliasCount: 100, logLevel: 'silent' });
      if (isSeed) parsedSeeds.set(t, structuredClone(doc));
    }
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  // every (container, key) pair of the document
  const slots: [Record<string | number, unknown>, string | number][] = [];
  const seen = new Set<unknown>(); // aliases can make the document a graph, even a cycle
  const walk = (v: unknown, depth: number): void => {
    if (depth > 30 || typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    for (const k of Array.isArray(v) ? v.keys() : Object.keys(v)) {
      slots.push([v as Record<string | number, unknown>, k]);
      walk((v as Record<string | number, unknown>)[k], depth + 1);
    }
  };
  walk(doc, 0);
  if (slots.length === 0) return undefined;
  const [box, key] = rng.pick(slots);
  switch (op) {
    case 'yamlValue':
      box[key] = structuredClone(rng.pick(VALUES));
      break;
    case 'yamlKey': {
      if (Array.isArray(box)) return undefined;
      const v = box[key];
      delete box[key];
      Object.defineProperty(box, rng.pick(KEYS), { value: v, enumerable: true, configurable: true, writable: true });
      break;
    }
    case 'yamlDelete':
      if (Array.isArray(box)) box.splice(key as number, 1);
      else delete box[key];
      break;
    case 'yamlDup':
      if (Array.isArray(box)) box.splice(key as number, 0, structuredClone(box[key]));
      else box[`${String(key)}`] = [box[key], box[key]];
      break;
    case 'yamlFeel': {
      const whens = slots.filter(([b, k]) => (k === 'when' || k === 'expression') && typeof b[k] === 'string');
      const [b, k] = whens.length ? rng.pick(whens) : [box, key];
      b[k] = rng.pick(HOSTILE_FEEL);
      break;
    }
    default:
      return undefined;
  }
  try {
    return stringifyYaml(doc, { aliasDuplicateObjects: false, lineWidth: 0 });
  } catch {
    return undefined;
  }
}

/** Structural mutations of XML text, by pattern (the document may already be broken). */
function xmlOp(t: string, rng: Rng, op: string): string | undefined {
  const matches = (re: RegExp) => [...t.matchAll(re)];
  switch (op) {
    case 'xmlDropTag': {
      const tags = matches(/<[A-Za-z][^<>]*>/g);
      if (!tags.length) return undefined;
      const m = rng.pick(tags);
      return t.slice(0, m.index) + t.slice(m.index! + m[0].length);
    }
    case 'xmlAttr': {
      const attrs = matches(/\s([\w:.-]+)="([^"]*)"/g);
      if (!attrs.length) return undefined;
      const m = rng.pick(attrs);
      const ids = matches(/\sid="([^"]*)"/g).map((x) => x[1]!);
      const value = rng.chance(0.3) && ids.length ? rng.pick(ids) : String(rng.pick(VALUES.filter((v) => typeof v === 'string' || typeof v === 'number')));
      const replaced = rng.chance(0.15) ? '' : ` ${m[1]}="${value.replace(/[<&"]/g, (c) => ({ '<': '&lt;', '&': '&amp;', '"': '&quot;' })[c]!)}"`;
      return t.slice(0, m.index) + replaced + t.slice(m.index! + m[0].length);
    }
    case 'xmlDupElement': {
      const els = matches(/<[A-Za-z][^<>]*\/>/g);
      if (!els.length) return undefined;
      const m = rng.pick(els);
      return t.slice(0, m.index! + m[0].length) + m[0] + t.slice(m.index! + m[0].length);
    }
    case 'xmlNest': {
      const d = rng.pick([10, 70, 1000]);
      const at = t.indexOf('>', t.indexOf('<bpmn:process'));
      if (at < 0) return undefined;
      return `${t.slice(0, at + 1)}${'<bpmn:subProcess>'.repeat(d)}${'</bpmn:subProcess>'.repeat(d)}${t.slice(at + 1)}`;
    }
    case 'xmlNamespace':
      return t.replace(rng.pick([/urn:winpath:bpmn:1/, /http:\/\/www\.omg\.org\/spec\/BPMN\/20100524\/MODEL/, /xmlns:wp/]), rng.pick(['urn:winpath:bpmn:2', 'http://example.com/x', 'xmlns:wq', '']));
    case 'xmlFeel': {
      const conds = matches(/(<bpmn:conditionExpression[^>]*>)([^<]*)(<\/bpmn:conditionExpression>)|\swhen="([^"]*)"/g);
      if (!conds.length) return undefined;
      const m = rng.pick(conds);
      const feel = rng.pick(HOSTILE_FEEL).replace(/[<&"]/g, (c) => ({ '<': '&lt;', '&': '&amp;', '"': '&quot;' })[c]!);
      const replacement = m[1] ? `${m[1]}${feel}${m[3]}` : ` when="${feel}"`;
      return t.slice(0, m.index) + replacement + t.slice(m.index! + m[0].length);
    }
    default:
      return undefined;
  }
}

const YAML_ONLY = ['yamlValue', 'yamlValue', 'yamlKey', 'yamlDelete', 'yamlDup', 'yamlFeel', 'yamlFeel', 'yamlNest', 'specialLine'];
const BPMN_ONLY = ['xmlDropTag', 'xmlAttr', 'xmlAttr', 'xmlDupElement', 'xmlNest', 'xmlNamespace', 'xmlFeel', 'xmlFeel', 'specialLine'];

function mutate(doc: SeedDoc, rng: Rng, others: () => string): { text: string; ops: string[] } {
  let text = doc.text;
  const ops: string[] = [];
  for (let n = rng.chance(0.6) ? 1 : rng.chance(0.75) ? 2 : 3; n > 0; n--) {
    const structural = rng.chance(0.55);
    const op = structural ? rng.pick(doc.format === 'yaml' ? YAML_ONLY : BPMN_ONLY) : rng.pick(Object.keys(TEXT_OPS));
    // writing a deeply nested or large document back out through the yaml library takes gigabytes: structure changes come first
    if (op.startsWith('yaml') && op !== 'yamlNest' && (ops.includes('yamlNest') || text.length > 200_000)) continue;
    let out: string | undefined;
    if (op === 'specialLine') {
      const ls = lines(text);
      ls.splice(rng.int(ls.length + 1), 0, rng.pick(doc.format === 'yaml' ? YAML_LINES : BPMN_LINES));
      out = ls.join('\n');
    } else if (op === 'yamlNest') {
      // a scalar value replaced by a flow collection nested 30, 300 or 3,000 deep
      const d = rng.pick([30, 300, 3000]);
      out = text.replace(/: ([^\s{[][^\n]*)/, (_m, v: string) => `: ${'['.repeat(d)}${v}${']'.repeat(d)}`);
    } else if (op.startsWith('yaml')) {
      out = yamlOp(text, rng, op, text === doc.text);
    } else if (op.startsWith('xml')) {
      out = xmlOp(text, rng, op);
    } else {
      out = TEXT_OPS[op]!(text, rng, others);
    }
    if (out !== undefined) {
      text = out;
      ops.push(op);
    }
  }
  return { text, ops };
}

/**
 * Inputs no mutation makes by chance: bombs, deep nesting, empty and binary documents. (Documents over the
 * size limits have a test of their own in template-fuzz.test.ts.)
 */
export function specialInputs(): { name: string; format: Format; text: string }[] {
  const bpmnHead = '<?xml version="1.0"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:wp="urn:winpath:bpmn:1">';
  const aliases = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 12; i++) aliases.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
  return [
    { name: 'empty yaml', format: 'yaml', text: '' },
    { name: 'empty bpmn', format: 'bpmn', text: '' },
    { name: 'whitespace yaml', format: 'yaml', text: ' \n\t\n ' },
    { name: 'bom yaml', format: 'yaml', text: '\ufeffid: x\n' },
    { name: 'binary yaml', format: 'yaml', text: String.fromCharCode(...Array.from({ length: 512 }, (_, i) => (i * 37) % 256)) },
    { name: 'binary bpmn', format: 'bpmn', text: String.fromCharCode(...Array.from({ length: 512 }, (_, i) => (i * 53) % 256)) },
    { name: 'yaml alias bomb', format: 'yaml', text: `${aliases.join('\n')}\nid: x\n` },
    { name: 'yaml nested 100,000 deep', format: 'yaml', text: `id: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n` },
    { name: 'yaml block nested 1,000 deep', format: 'yaml', text: Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') },
    { name: 'yaml one 1 MB line', format: 'yaml', text: `id: ${'a'.repeat(1_000_000)}\n` },
    { name: 'bpmn billion laughs', format: 'bpmn', text: `<?xml version="1.0"?>\n<!DOCTYPE l [<!ENTITY l "l"><!ENTITY l2 "&l;&l;&l;&l;&l;&l;&l;&l;&l;&l;">]>\n${bpmnHead}<bpmn:process id="p" name="&l2;"/></bpmn:definitions>` },
    { name: 'bpmn nested 100,000 deep', format: 'bpmn', text: `${bpmnHead}<bpmn:process id="p">${'<bpmn:subProcess>'.repeat(100_000)}${'</bpmn:subProcess>'.repeat(100_000)}</bpmn:process></bpmn:definitions>` },
    { name: 'bpmn 100,000 attributes', format: 'bpmn', text: `${bpmnHead}<bpmn:process id="p" ${Array.from({ length: 100_000 }, (_, i) => `a${i}="1"`).join(' ')}/></bpmn:definitions>` },
    { name: 'yaml template with a 200,000-term guard', format: 'yaml', text: `id: x\nversion: 1\nname: X\nlossReasons: [price]\nfields: { amount: { type: money } }\nstages:\n  - key: a\n    name: A\n    requires: { checks: [{ when: "${Array(200_000).fill('amount').join(' + ')} > 0" }] }\n  - { key: won, name: Won, outcome: won }\n  - { key: lost, name: Lost, outcome: lost }\n` },
  ];
}

export interface Corpus {
  inputAt(index: number): FuzzInput;
}

export function createCorpus(seeds: readonly SeedDoc[], seed: number): Corpus {
  const special = specialInputs();
  const total = seeds.reduce((s, d) => s + d.weight, 0);
  const pickSeed = (rng: Rng): SeedDoc => {
    let x = rng.next() * total;
    for (const d of seeds) if ((x -= d.weight) < 0) return d;
    return seeds[seeds.length - 1]!;
  };
  return {
    inputAt(index) {
      if (index < special.length) return { index, ...special[index]!, ops: ['special'] };
      const rng = createRng((seed * 1_000_003 + index * 7_919) >>> 0);
      const doc = pickSeed(rng);
      const sameFormat = seeds.filter((d) => d.format === doc.format);
      const { text, ops } = mutate(doc, rng, () => rng.pick(sameFormat).text);
      return { index, name: doc.name, format: doc.format, text, ops };
    },
  };
}
