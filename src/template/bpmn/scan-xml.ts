/**
 * A linear pre-parse of a BPMN document: refuses what must never reach the XML parser
 * (DOCTYPE, entity declarations, unknown entity references, characters XML forbids, runaway
 * size and depth), checks well-formedness, and records where each element and attribute is,
 * because bpmn-moddle keeps no source positions.
 */
import { templateError, type Issue } from '../../errors/index.js';

/** Largest BPMN source accepted (characters), checked before anything else. */
export const MAX_BPMN_SIZE = 5_000_000;
/** Deepest element nesting accepted; real BPMN files stay under 12. */
export const MAX_BPMN_DEPTH = 64;
/** Most elements accepted in one document. */
export const MAX_BPMN_ELEMENTS = 50_000;

export interface XmlAttr {
  /** As written, e.g. `wp:key`. */
  name: string;
  local: string;
  /** Namespace URI; undefined for an unprefixed attribute. */
  uri: string | undefined;
  value: string;
  line: number;
  column: number;
  /** Where the value starts (after the quote). */
  valueLine: number;
  valueColumn: number;
  /** The value as written, before entity decoding. */
  raw: string;
}

export interface XmlNode {
  name: string;
  local: string;
  uri: string | undefined;
  line: number;
  column: number;
  attrs: XmlAttr[];
  children: XmlNode[];
  parent: XmlNode | undefined;
  /** Where its first non-blank text (or CDATA) is, when it has any. */
  textAt?: { line: number; column: number };
}

export interface ScannedXml {
  root: XmlNode;
  /** First element carrying each `id` attribute. */
  byId: Map<string, XmlNode>;
  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number };
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const NAME = /[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*(?::[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*)?/y;
const CLOSE_REST = /\s*>/y;
const ATTR_EQ = /\s*=\s*(["'])/y;
const SPACE = /\s*/y;
const ENTITY = /&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));/y;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
// C0 controls other than tab, LF and CR, U+FFFE/U+FFFF, and unpaired surrogates are not XML 1.0 characters
const BAD_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const DECLARATION = /<!(DOCTYPE|ENTITY)/i;
const NON_BLANK = /\S/g;

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/**
 * Scans `source` and returns its element tree with positions.
 * @throws WinpathError LIMIT_EXCEEDED (size, depth, element count), TEMPLATE_INVALID (malformed, DOCTYPE, entities)
 */
export function scanXml(source: string, file?: string): ScannedXml {
  const lineStarts = [0];
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const position = (offset: number): { line: number; column: number } => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
  };
  const fail = (offset: number, message: string, fix: string, code: 'TEMPLATE_INVALID' | 'LIMIT_EXCEEDED' = 'TEMPLATE_INVALID'): never => {
    const at = position(offset);
    const issue: Issue = { message, fix, line: at.line, column: at.column };
    if (file !== undefined) issue.file = file;
    throw templateError([issue], code);
  };

  const decl = DECLARATION.exec(source);
  if (decl) {
    fail(decl.index, `<!${decl[1]!.toUpperCase()} is not allowed in a BPMN template (entity declarations are refused before parsing)`,
      'remove the DOCTYPE and any entity declarations: a BPMN file needs neither');
  }
  const bad = BAD_CHAR.exec(source);
  if (bad) {
    fail(bad.index, `character U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML`, 'remove it');
  }

  // the next "&" (or "<") at or after a position; positions asked only grow, so the scan stays linear
  const finder = (ch: string): ((p: number) => number) => {
    let at = -2;
    return (p) => {
      if (at === -1 || at >= p) return at;
      at = source.indexOf(ch, p);
      return at;
    };
  };
  const nextAmp = finder('&');
  const nextLt = finder('<');

  /** Decodes entity and character references, refusing unknown ones. */
  const decode = (from: number, to: number): string => {
    let out = '';
    let i = from;
    for (let amp = nextAmp(i); amp >= 0 && amp < to; amp = nextAmp(i)) {
      out += source.slice(i, amp);
      ENTITY.lastIndex = amp;
      const m = ENTITY.exec(source);
      if (!m || ENTITY.lastIndex > to) {
        fail(amp, 'unknown entity reference: only &lt; &gt; &amp; &quot; &apos; and numeric character references are allowed', 'write a literal "&" as &amp;');
      }
      if (m![1]) out += PREDEFINED[m![1]];
      else {
        const cp = m![2] !== undefined ? Number(m![2]) : parseInt(m![3]!, 16);
        if (!isXmlChar(cp)) fail(amp, `character reference ${m![0]} names a character XML does not allow`, 'remove it');
        out += String.fromCodePoint(cp);
      }
      i = ENTITY.lastIndex;
    }
    return out + source.slice(i, to);
  };

  let root: XmlNode | undefined;
  const stack: XmlNode[] = [];
  const scopes: Record<string, string>[] = [{ xml: XML_NS }];
  const byId = new Map<string, XmlNode>();
  let count = 0;
  let i = 0;
  const n = source.length;

  const checkText = (from: number, to: number): void => {
    if (stack.length === 0) {
      const text = source.slice(from, to);
      const at = text.search(/\S/);
      if (at >= 0 && !(from === 0 && at === 0 && text.charCodeAt(0) === 0xfeff)) {
        fail(from + at, 'text outside the root element', 'a BPMN file holds one <bpmn:definitions> element and nothing else');
      }
    } else {
      const amp = nextAmp(from);
      if (amp >= 0 && amp < to) decode(from, to);
      const top = stack[stack.length - 1]!;
      if (!top.textAt) {
        NON_BLANK.lastIndex = from;
        const m = NON_BLANK.exec(source);
        if (m && m.index < to) top.textAt = position(m.index);
      }
    }
  };

  while (i < n) {
    const lt = source.indexOf('<', i);
    checkText(i, lt < 0 ? n : lt);
    if (lt < 0) break;
    if (source.startsWith('<!--', lt)) {
      const end = source.indexOf('-->', lt + 4);
      if (end < 0) fail(lt, 'a comment is never closed', 'close it with -->');
      i = end + 3;
    } else if (source.startsWith('<![CDATA[', lt)) {
      if (stack.length === 0) fail(lt, 'CDATA outside the root element', 'remove it');
      stack[stack.length - 1]!.textAt ??= position(lt);
      const end = source.indexOf(']]>', lt + 9);
      if (end < 0) fail(lt, 'a CDATA section is never closed', 'close it with ]]>');
      i = end + 3;
    } else if (source.startsWith('<?', lt)) {
      const end = source.indexOf('?>', lt + 2);
      if (end < 0) fail(lt, 'a processing instruction is never closed', 'close it with ?>');
      i = end + 2;
    } else if (source.startsWith('<!', lt)) {
      fail(lt, 'markup declarations are not allowed in a BPMN template', 'remove it');
    } else if (source.startsWith('</', lt)) {
      NAME.lastIndex = lt + 2;
      const m = NAME.exec(source);
      if (!m) fail(lt, 'malformed closing tag', 'write it as </prefix:name>');
      CLOSE_REST.lastIndex = NAME.lastIndex;
      if (!CLOSE_REST.exec(source)) fail(NAME.lastIndex, `closing tag </${m![0]}> is not closed with ">"`, 'add ">"');
      const open = stack.pop();
      scopes.pop();
      if (!open) fail(lt, `closing tag </${m![0]}> has no opening tag`, 'remove it');
      if (open!.name !== m![0]) fail(lt, `closing tag </${m![0]}> does not match <${open!.name}> opened at line ${open!.line}`, `close <${open!.name}> first`);
      i = CLOSE_REST.lastIndex;
    } else {
      NAME.lastIndex = lt + 1;
      const m = NAME.exec(source);
      if (!m) fail(lt, 'a "<" that starts no element', 'write a literal "<" as &lt;');
      const name = m![0];
      const start = position(lt);
      const rawAttrs: { name: string; offset: number; valueOffset: number; raw: string; value: string }[] = [];
      const seen = new Set<string>();
      let j = NAME.lastIndex;
      let selfClosing = false;
      for (;;) {
        SPACE.lastIndex = j;
        SPACE.exec(source);
        const spaced = SPACE.lastIndex > j;
        j = SPACE.lastIndex;
        if (j >= n) fail(lt, `tag <${name}> is never closed with ">"`, 'add ">"');
        if (source.startsWith('/>', j)) { selfClosing = true; j += 2; break; }
        if (source[j] === '>') { j += 1; break; }
        if (!spaced) fail(j, `expected whitespace, ">" or "/>" in tag <${name}>`, 'separate attributes with a space');
        NAME.lastIndex = j;
        const a = NAME.exec(source);
        if (!a) fail(j, `malformed attribute in tag <${name}>`, 'write attributes as name="value"');
        ATTR_EQ.lastIndex = NAME.lastIndex;
        const eq = ATTR_EQ.exec(source);
        if (!eq) fail(NAME.lastIndex, `attribute ${a![0]} has no quoted value`, 'write it as name="value"');
        const valueStart = ATTR_EQ.lastIndex;
        const close = source.indexOf(eq![1]!, valueStart);
        if (close < 0) fail(j, `the value of attribute ${a![0]} is never closed`, `close it with ${eq![1]}`);
        const lt2 = nextLt(valueStart);
        if (lt2 >= 0 && lt2 < close) fail(lt2, `"<" inside the value of attribute ${a![0]}`, 'write it as &lt;');
        if (seen.has(a![0])) fail(j, `attribute ${a![0]} is given twice`, 'remove one');
        seen.add(a![0]);
        rawAttrs.push({ name: a![0], offset: j, valueOffset: valueStart, raw: source.slice(valueStart, close), value: decode(valueStart, close) });
        j = close + 1;
      }
      if (stack.length === 0 && root) fail(lt, `a second root element <${name}>`, 'a BPMN file holds one <bpmn:definitions> element');
      if (stack.length + 1 > MAX_BPMN_DEPTH) {
        fail(lt, `elements are nested deeper than ${MAX_BPMN_DEPTH} levels`, 'a BPMN template nests a few levels only; remove the nesting', 'LIMIT_EXCEEDED');
      }
      if (++count > MAX_BPMN_ELEMENTS) fail(lt, `the document has more than ${MAX_BPMN_ELEMENTS} elements`, 'split the process', 'LIMIT_EXCEEDED');

      let scope = scopes[scopes.length - 1]!;
      for (const a of rawAttrs) {
        if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) {
          if (scope === scopes[scopes.length - 1]) scope = { ...scope };
          scope[a.name === 'xmlns' ? '' : a.name.slice(6)] = a.value;
        }
      }
      const resolve = (qname: string, offset: number, isElement: boolean): { local: string; uri: string | undefined } => {
        const colon = qname.indexOf(':');
        if (colon < 0) return { local: qname, uri: isElement ? scope[''] || undefined : undefined };
        const prefix = qname.slice(0, colon);
        const uri = scope[prefix];
        if (uri === undefined) fail(offset, `namespace prefix "${prefix}" is not declared`, `declare it, e.g. xmlns:${prefix}="..." on <bpmn:definitions>`);
        return { local: qname.slice(colon + 1), uri };
      };
      const node: XmlNode = { name, ...resolve(name, lt, true), line: start.line, column: start.column, attrs: [], children: [], parent: stack[stack.length - 1] };
      for (const a of rawAttrs) {
        if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
        const at = position(a.offset);
        const vat = position(a.valueOffset);
        node.attrs.push({ name: a.name, ...resolve(a.name, a.offset, false), value: a.value, raw: a.raw, line: at.line, column: at.column, valueLine: vat.line, valueColumn: vat.column });
        if (a.name === 'id' && !byId.has(a.value)) byId.set(a.value, node);
      }
      if (node.parent) node.parent.children.push(node);
      else root = node;
      if (!selfClosing) {
        stack.push(node);
        scopes.push(scope);
      }
      i = j;
    }
  }
  if (stack.length > 0) {
    const open = stack[stack.length - 1]!;
    const issue: Issue = { message: `element <${open.name}> opened at line ${open.line} is never closed`, fix: `add </${open.name}>`, line: open.line, column: open.column };
    if (file !== undefined) issue.file = file;
    throw templateError([issue]);
  }
  if (!root) fail(0, 'the document holds no element', 'a BPMN file holds one <bpmn:definitions> element');
  return { root: root!, byId, position };
}
