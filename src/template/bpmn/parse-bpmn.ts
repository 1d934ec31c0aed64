/** The BPMN reader: BPMN 2.0 XML (DESIGN.md section 3) to the same raw template the YAML reader builds, then compileDefinition. */
import type { FromXmlResult, ModdleElement, ModdleWarning } from 'bpmn-moddle';
import type { z } from 'zod';
import { formatPath, templateError, type Issue, type PathSegment } from '../../errors/index.js';
import { FORBIDDEN_KEYS, type ProcessDefinition } from '../../model/index.js';
import { compileDefinition, type Locator } from '../compile-definition.js';
import { templateSchema } from '../template-schema.js';
import { BPMN_NS, WP_NS, createWinpathModdle, readDuration, readMode, readQuorumCondition } from './bpmn-values.js';
import { MAX_BPMN_SIZE, scanXml, type ScannedXml, type XmlAttr, type XmlNode } from './scan-xml.js';

type El = ModdleElement;
type Raw = Record<string, unknown>;

const STAGE_TYPES = new Set(['bpmn:SubProcess', 'bpmn:Task', 'bpmn:UserTask', 'bpmn:ManualTask']);
/** Most problems reported at once; a hostile document must not make thousands. */
const MAX_ISSUES = 100;

/** Namespaces whose elements bpmn-moddle types; text inside them is allowed only where a body or value is. */
const TYPED_NAMESPACES = new Set([
  BPMN_NS, WP_NS, 'http://www.omg.org/spec/BPMN/20100524/DI', 'http://www.omg.org/spec/DD/20100524/DC', 'http://www.omg.org/spec/DD/20100524/DI',
  'http://bpmn.io/schema/bpmn/biocolor/1.0', 'http://www.omg.org/spec/BPMN/non-normative/color/1.0',
]);
/**
 * Elements of those namespaces that hold text: the types with a body and the properties of a
 * simple or reference type (taken from bpmn-moddle's descriptors), and winpath's texts. Text
 * anywhere else is refused before parsing, because bpmn-moddle would locate each such warning
 * by rescanning the document from its start.
 */
const TEXT_ELEMENTS = new Set([
  'activationCondition', 'body', 'boundaryEventRefs', 'categorizedFlowElements', 'categoryValueRef', 'choreographyRef', 'completionCondition',
  'condition', 'conditionExpression', 'correlationPropertyRef', 'dataInputRefs', 'dataOutputRefs', 'dataPath', 'documentation', 'endPointRefs',
  'errorRef', 'eventDefinitionRef', 'expression', 'extensionDefinitions', 'flowNodeRef', 'formalExpression', 'from', 'inMessageRef', 'incoming',
  'incomingConversationLinks', 'inputSetRef', 'inputSetRefs', 'inputSetWithOptional', 'inputSetWithWhileExecuting', 'interfaceRef', 'lanes',
  'loopCardinality', 'loopCondition', 'loopDataInputRef', 'loopDataOutputRef', 'messageFlowRef', 'messageFlowRefs', 'messagePath', 'operationRef',
  'optionalInputRefs', 'optionalOutputRefs', 'outMessageRef', 'outgoing', 'outgoingConversationLinks', 'outputSetRef', 'outputSetRefs',
  'outputSetWithOptional', 'outputSetWithWhileExecuting', 'participantRef', 'resourceRef', 'script', 'source', 'sourceRef', 'supportedInterfaceRef',
  'supports', 'target', 'targetRef', 'text', 'timeCycle', 'timeDate', 'timeDuration', 'to', 'transformation', 'values', 'whileExecutingInputRefs',
  'whileExecutingOutputRefs', 'modelElement', 'owningDiagram', 'owningElement', 'style',
  // winpath
  'name', 'label', 'message', 'title', 'guidance',
]);
const DOCS = 'see docs/bpmn.md for the mapping';
/** Containment properties that never change what a template means. */
const ALWAYS_IGNORED = new Set(['documentation', 'extensionElements', 'extensionDefinitions', 'laneSets', 'artifacts']);

/**
 * Reads a BPMN 2.0 template into a validated, frozen ProcessDefinition.
 * @throws WinpathError TEMPLATE_INVALID, UNSUPPORTED_BPMN, LIMIT_EXCEEDED
 */
export async function parseBpmnTemplate(source: string, fileName?: string): Promise<ProcessDefinition> {
  const withFile = (issue: Issue): Issue => (fileName === undefined ? issue : { ...issue, file: fileName });
  if (typeof source !== 'string') throw templateError([withFile({ message: 'template source must be a string' })]);
  if (source.length > MAX_BPMN_SIZE) {
    throw templateError([withFile({
      message: `BPMN template is ${source.length} characters, over the limit of ${MAX_BPMN_SIZE}`,
      fix: 'remove what the process does not need (embedded images, unused diagrams), or split it',
      line: 1, column: 1, path: [],
    })], 'LIMIT_EXCEEDED');
  }
  const scan = scanXml(source, fileName);
  checkNamespaces(scan, withFile);

  const moddle = await createWinpathModdle();
  let parsed: FromXmlResult;
  try {
    // strict: the first unknown element or duplicate id ends the parse (each lax warning would rescan the document to find its line)
    parsed = await moddle.fromXML(source, 'bpmn:Definitions', { lax: false });
  } catch (e) {
    throw templateError([withFile(moddleMessageIssue(String((e as Error).message)))]);
  }
  return new BpmnReader(scan, parsed, withFile, fileName).read();
}

/** Every element has a namespace; the root is bpmn:definitions; no other version of the winpath namespace. */
function checkNamespaces(scan: ScannedXml, withFile: (i: Issue) => Issue): void {
  const issues: Issue[] = [];
  const { root } = scan;
  if (root.uri !== BPMN_NS || root.local !== 'definitions') {
    throw templateError([withFile({
      message: `the root element is <${root.name}>${root.uri ? ` in namespace "${root.uri}"` : ' without a namespace'}, not BPMN 2.0 <definitions>`,
      fix: `a BPMN template starts with <bpmn:definitions xmlns:bpmn="${BPMN_NS}" xmlns:wp="${WP_NS}">`,
      line: root.line, column: root.column,
    })]);
  }
  const otherWinpath = (uri: string | undefined): boolean => uri !== undefined && uri.startsWith('urn:winpath:') && uri !== WP_NS;
  const walk = (node: XmlNode): void => {
    if (issues.length >= MAX_ISSUES) return;
    if (node.textAt && node.uri !== undefined && TYPED_NAMESPACES.has(node.uri) && !TEXT_ELEMENTS.has(node.local)) {
      issues.push(withFile({ message: `text inside <${node.name}>, which holds no text`, fix: 'remove the text, or put it in a <bpmn:documentation> or <bpmn:textAnnotation>', ...node.textAt }));
    }
    if (node.uri === undefined) {
      issues.push(withFile({ message: `element <${node.name}> has no namespace`, fix: 'remove it, or give it the bpmn: or wp: prefix it belongs to', line: node.line, column: node.column }));
    } else if (otherWinpath(node.uri)) {
      issues.push(withFile({ message: `element <${node.name}> is in namespace "${node.uri}", which this version of winpath does not read`, fix: `use xmlns:wp="${WP_NS}"`, line: node.line, column: node.column }));
    }
    for (const a of node.attrs) {
      if (otherWinpath(a.uri)) issues.push(withFile({ message: `attribute ${a.name} is in namespace "${a.uri}", which this version of winpath does not read`, fix: `use xmlns:wp="${WP_NS}"`, line: a.line, column: a.column }));
    }
    node.children.forEach(walk);
  };
  walk(root);
  if (issues.length) throw templateError(issues);
}

/** bpmn-moddle reports parse problems as text holding 0-based `line:` and `column:`. */
function moddleMessageIssue(message: string): Issue {
  const m = /^unparsable content (.*?) ?detected\s+line: (\d+)\s+column: (\d+)\s+nested error: (.*)$/s.exec(message);
  // messages without a position (e.g. an unsupported encoding declared in the prolog) are about the document: line 1
  if (!m) return { message: `the XML could not be read: ${message.split('\n')[0]}`, fix: 'check that the file is well-formed BPMN 2.0 XML in UTF-8', line: 1, column: 1 };
  const [, what, line, column, nested] = m;
  const unknown = /^(?:unknown type|unrecognized element) <(.+)>$/.exec(nested!.trim());
  return {
    message: unknown ? `unknown element ${what!.replace(/\/?>$/, '>')}: ${nested!.trim()}` : `${what ? `${what}: ` : ''}${nested!.trim()}`,
    fix: unknown ? `remove it, or correct its name (${DOCS})` : 'correct the XML at that place',
    line: Number(line) + 1,
    column: Number(column) + 1,
  };
}

interface Mark {
  el: El;
  attr?: string;
  item?: number;
}

class BpmnReader {
  private readonly invalid: Issue[] = [];
  private readonly unsupported: Issue[] = [];
  private readonly marks = new Map<string, Mark>();
  private readonly nodes = new Map<El, XmlNode | undefined>();

  constructor(
    private readonly scan: ScannedXml,
    private readonly parsed: FromXmlResult,
    private readonly withFile: (i: Issue) => Issue,
    private readonly fileName: string | undefined,
  ) {}

  read(): ProcessDefinition {
    for (const w of this.parsed.warnings.slice(0, MAX_ISSUES)) this.invalid.push(this.warningIssue(w));
    if (this.invalid.length) throw templateError(this.invalid);

    const raw = this.readDefinitions(this.parsed.rootElement);
    if (this.unsupported.length) {
      const e = templateError([...this.unsupported, ...this.invalid].slice(0, MAX_ISSUES), 'UNSUPPORTED_BPMN');
      const first = this.unsupported[0] as Issue & { elementId?: string; elementType?: string };
      if (first.elementId !== undefined) e.details['elementId'] = first.elementId;
      if (first.elementType !== undefined) e.details['elementType'] = first.elementType;
      throw e;
    }
    if (this.invalid.length || !raw) throw templateError(this.invalid.length ? this.invalid : [this.withFile({ message: 'the BPMN document holds no process' })]);

    const locate: Locator = (path, offset) => this.locate(path, offset);
    const checked = templateSchema.safeParse(raw);
    if (!checked.success) throw templateError(checked.error.issues.slice(0, MAX_ISSUES).map((i) => this.zodIssue(i)));
    return compileDefinition(checked.data, this.fileName === undefined ? { locate } : { file: this.fileName, locate });
  }

  // ---- where things are ----

  private nodeOf(el: El): XmlNode | undefined {
    if (this.nodes.has(el)) return this.nodes.get(el);
    let found: XmlNode | undefined;
    const id = el['id'];
    if (typeof id === 'string' && this.scan.byId.has(id)) found = this.scan.byId.get(id);
    else if (!el.$parent) found = this.scan.root;
    else {
      const parent = el.$parent;
      const pnode = this.nodeOf(parent);
      if (pnode) {
        // siblings of one type, in one property, appear in the XML in the same order: match them up once
        const typeLocal = localName(el.$type).toLowerCase();
        const pair = (list: El[], propLocal: string): void => {
          const names = new Set([typeLocal, propLocal.toLowerCase()]);
          const xml = pnode.children.filter((c) => names.has(c.local.toLowerCase()));
          list.filter((x) => x.$type === el.$type).forEach((x, i) => this.nodes.set(x, xml[i] ?? pnode));
        };
        for (const prop of parent.$descriptor?.properties ?? []) {
          if (prop.isAttr || prop.isReference || prop.isBody) continue;
          const v = parent.get(prop.name);
          const list = (Array.isArray(v) ? v : v ? [v] : []) as El[];
          if (list.includes(el)) {
            pair(list, prop.ns.localName);
            break;
          }
        }
        if (!this.nodes.has(el) && parent.$children?.includes(el)) pair(parent.$children, typeLocal);
        found = this.nodes.get(el) ?? pnode;
      }
    }
    this.nodes.set(el, found);
    return found;
  }

  private where(el: El, attr?: string, item?: number, offset?: number): { line?: number; column?: number } {
    const node = this.nodeOf(el);
    if (!node) return {};
    const a = attr === undefined ? undefined : findAttr(node, attr);
    if (!a) return { line: node.line, column: node.column };
    const plain = !a.raw.includes('&') && !a.raw.includes('\n');
    if (plain && item !== undefined) {
      const parts = a.raw.split(',');
      let at = 0;
      for (let k = 0; k < item && k < parts.length; k++) at += parts[k]!.length + 1;
      const part = parts[item] ?? '';
      at += part.length - part.trimStart().length;
      return { line: a.valueLine, column: a.valueColumn + at };
    }
    if (plain && offset !== undefined) return { line: a.valueLine, column: a.valueColumn + offset };
    return { line: a.valueLine, column: a.valueColumn };
  }

  private locate(path: PathSegment[], offset?: number): { line?: number; column?: number } {
    for (let n = path.length; n >= 0; n--) {
      const m = this.marks.get(JSON.stringify(path.slice(0, n)));
      if (m) return this.where(m.el, m.attr, m.item, n === path.length ? offset : undefined);
    }
    return {};
  }

  private mark(path: PathSegment[], el: El, attr?: string, item?: number): void {
    const m: Mark = { el };
    if (attr !== undefined) m.attr = attr;
    if (item !== undefined) m.item = item;
    this.marks.set(JSON.stringify(path), m);
  }

  private issue(el: El, message: string, fix: string, attr?: string, path?: PathSegment[]): Issue {
    const at = this.where(el, attr);
    const i: Issue = { message, fix };
    if (at.line !== undefined) i.line = at.line;
    if (at.column !== undefined) i.column = at.column;
    if (path !== undefined) i.path = path;
    return this.withFile(i);
  }

  private bad(el: El, message: string, fix: string, attr?: string, path?: PathSegment[]): void {
    if (this.invalid.length < MAX_ISSUES) this.invalid.push(this.issue(el, message, fix, attr, path));
  }

  private refuse(el: El, what: string, fix: string): void {
    if (this.unsupported.length >= MAX_ISSUES) return;
    const node = this.nodeOf(el);
    const id = typeof el['id'] === 'string' ? (el['id'] as string) : undefined;
    const type = node ? node.name : el.$type;
    const line = node ? ` at line ${node.line}` : '';
    const i = this.issue(el, `${id ? `"${id}" ` : ''}<${type}>${line}: ${what}`, fix) as Issue & { elementId?: string; elementType?: string };
    if (id !== undefined) i.elementId = id;
    i.elementType = el.$type;
    this.unsupported.push(i);
  }

  private warningIssue(w: ModdleWarning): Issue {
    if (/line: \d+/.test(w.message)) return this.withFile(moddleMessageIssue(w.message));
    if (/encoding/.test(w.message)) {
      // the XML declaration's encoding: about the whole document, which winpath reads as UTF-8
      return this.withFile({ message: `the document declares another encoding: ${w.message}`, fix: 'save the file as UTF-8 and declare encoding="UTF-8"', line: 1, column: 1 });
    }
    const el = w.element;
    const label = el ? describe(el) : 'an element';
    if (w.message.startsWith('unknown attribute') && el) {
      const i = this.issue(el, `unknown attribute ${w.property} on ${label}`, `remove it, or correct its name (${DOCS})`);
      const node = this.nodeOf(el);
      const a = node?.attrs.find((x) => x.name === w.property);
      if (a) Object.assign(i, { line: a.line, column: a.column });
      return i;
    }
    if (w.message.startsWith('unresolved reference') && el) {
      return this.issue(el, `${label}: ${localName(String(w.property))} names "${w.value}", which no element has as id`, 'correct the reference, or add the element', localName(String(w.property)));
    }
    const i: Issue = { message: `${label}: ${w.message}`, fix: 'correct the BPMN document' };
    return el ? this.issue(el, i.message, i.fix!) : this.withFile(i);
  }

  private zodIssue(issue: z.core.$ZodIssue): Issue {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) as PathSegment[];
    const at = this.locate(path);
    const last = path[path.length - 1];
    let message = `${formatPath(path) || 'template'}: ${issue.message}`;
    let fix = DOCS;
    if (issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined) {
      message = `missing ${String(last)} (${formatPath(path)})`;
      fix = `add it (${DOCS})`;
    } else if (last === 'key' && issue.code === 'invalid_format') {
      fix = 'keys are kebab-case and start with a letter: give the element a wp:key="..." attribute, or rename its id';
    } else if (issue.code === 'invalid_union' && (last === 'due' || last === 'within' || last === 'idleAfter')) {
      message = `${formatPath(path)} must be an ISO 8601 duration or businessDays:N`;
      fix = 'write e.g. P3D, PT4H, or businessDays:2';
    }
    const out: Issue = { message, fix, path };
    if (at.line !== undefined) out.line = at.line;
    if (at.column !== undefined) out.column = at.column;
    return this.withFile(out);
  }

  // ---- values ----

  private attr(el: El, name: string): string | undefined {
    const v = el.get(name);
    return typeof v === 'string' ? v : undefined;
  }

  private list(el: El, name: string, path: PathSegment[]): string[] | undefined {
    const v = this.attr(el, name);
    if (v === undefined) return undefined;
    this.mark(path, el, name);
    if (v.trim() === '') return [];
    return v.split(',').map((s, i) => {
      const item = s.trim();
      this.mark([...path, i], el, name, i);
      if (!item) this.bad(el, `attribute ${name}="${v}" has an empty item`, 'remove the extra comma', name, path);
      return item;
    });
  }

  private number(el: El, name: string, path: PathSegment[]): number | string | undefined {
    const v = this.attr(el, name);
    if (v === undefined) return undefined;
    this.mark(path, el, name);
    if (!/^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/.test(v)) {
      this.bad(el, `attribute ${name}="${v}" is not a number`, 'write a number such as 50 or 0.1', name, path);
      return v;
    }
    return Number(v);
  }

  private boolean(el: El, name: string, path: PathSegment[]): boolean | string | undefined {
    const v = this.attr(el, name);
    if (v === undefined) return undefined;
    this.mark(path, el, name);
    if (v.trim() === 'true') return true;
    if (v.trim() === 'false') return false;
    this.bad(el, `attribute ${name}="${v}" is not true or false`, 'write true or false', name, path);
    return v;
  }

  private string(el: El, name: string, path: PathSegment[]): string | undefined {
    const v = this.attr(el, name);
    if (v !== undefined) this.mark(path, el, name);
    return v;
  }

  private duration(el: El, name: string, path: PathSegment[]): unknown {
    const v = this.string(el, name, path);
    return v === undefined ? undefined : readDuration(v);
  }

  /**
   * A text: the attribute (or a child without `lang`) is the plain text; children with `lang`
   * make it an object, `en` taken from the attribute unless a `lang="en"` child exists.
   */
  private text(el: El, attr: string | undefined, children: El[], path: PathSegment[]): unknown {
    const base = attr === undefined ? undefined : this.attr(el, attr);
    const plain = children.filter((c) => this.attr(c, 'lang') === undefined);
    const langs = children.filter((c) => this.attr(c, 'lang') !== undefined);
    if (plain.length > 1 || (plain.length === 1 && base !== undefined)) {
      this.bad(plain[plain.length - 1]!, `the ${String(path[path.length - 1])} text is given twice without a language`, 'give the other languages a lang attribute', undefined, path);
    }
    const plainText = plain[0] ? (this.attr(plain[0], 'text') ?? '') : undefined;
    const first = base ?? plainText;
    if (langs.length === 0) {
      if (base !== undefined) this.mark(path, el, attr);
      else if (plain[0]) this.mark(path, plain[0]);
      return first;
    }
    const out: Record<string, string> = {};
    if (base !== undefined) {
      out['en'] = base;
      this.mark([...path, 'en'], el, attr);
    } else if (plain[0] && plainText !== undefined) {
      out['en'] = plainText;
      this.mark([...path, 'en'], plain[0]);
    }
    this.mark(path, el, base !== undefined ? attr : undefined);
    const seen = new Set<string>();
    for (const c of langs) {
      const lang = this.attr(c, 'lang')!;
      if (FORBIDDEN_KEYS.has(lang)) {
        this.bad(c, `lang="${lang}" is not a language code`, 'use a code such as en, zh or zh-TW', 'lang', path);
        continue;
      }
      if (seen.has(lang)) this.bad(c, `the ${String(path[path.length - 1])} text in "${lang}" is given twice`, 'remove one', 'lang', path);
      seen.add(lang);
      out[lang] = this.attr(c, 'text') ?? '';
      this.mark([...path, lang], c);
    }
    return out;
  }

  private key(el: El, path: PathSegment[]): string | undefined {
    const wpKey = this.attr(el, 'wp:key');
    if (wpKey !== undefined) {
      this.mark(path, el, 'wp:key');
      return wpKey;
    }
    const id = this.attr(el, 'id');
    if (id !== undefined) this.mark(path, el, 'id');
    return id;
  }

  /** The wp: extension elements of `el`, by type; those outside `allowed` are refused, other namespaces ignored. */
  private extensions(el: El, allowed: readonly string[], single: readonly string[] = []): Map<string, El[]> {
    const out = new Map<string, El[]>();
    const values = ((el['extensionElements'] as El | undefined)?.['values'] ?? []) as El[];
    for (const v of values) {
      if (!v.$type.startsWith('wp:')) continue;
      if (!allowed.includes(v.$type)) {
        if (this.invalid.length >= MAX_ISSUES) continue;
        this.bad(v, `<${this.nodeOf(v)?.name ?? v.$type}> does not belong on ${describe(el)}`, allowed.length ? `on this element winpath reads: ${allowed.map((a) => `<${tagOf(a)}>`).join(', ')}` : 'remove it', undefined);
        continue;
      }
      const list = out.get(v.$type) ?? [];
      list.push(v);
      out.set(v.$type, list);
    }
    for (const t of single) {
      const list = out.get(t);
      if (list && list.length > 1) this.bad(list[1]!, `<${tagOf(t)}> is given twice on ${describe(el)}`, 'merge them into one');
    }
    return out;
  }

  /** Refuses containment properties that carry meaning winpath does not read (ioSpecification, resources, ...). */
  private onlyMapped(el: El, allowed: readonly string[]): void {
    for (const prop of el.$descriptor?.properties ?? []) {
      if (prop.isAttr || prop.isReference || prop.isBody || prop.isVirtual) continue;
      const name = prop.ns.localName;
      if (allowed.includes(name) || ALWAYS_IGNORED.has(name)) continue;
      const v = el.get(prop.name);
      if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
      if (this.unsupported.length >= MAX_ISSUES) return;
      const child = (Array.isArray(v) ? v[0] : v) as El;
      const tag = (typeof child === 'object' && child ? this.nodeOf(child)?.name : undefined) ?? `bpmn:${name}`;
      this.refuse(el, `its <${tag}> is not part of winpath's BPMN mapping`, `remove it (${DOCS})`);
    }
  }

  // ---- structure ----

  private readDefinitions(defs: El): Raw | undefined {
    this.onlyMapped(defs, ['rootElements', 'diagrams']);
    let proc: El | undefined;
    let collaboration: El | undefined;
    for (const r of (defs['rootElements'] ?? []) as El[]) {
      if (r.$type === 'bpmn:Process') {
        if (proc) this.refuse(r, 'a second process: a template is one process', 'keep one process per file');
        else proc = r;
      } else if (r.$type === 'bpmn:Collaboration') {
        collaboration = r;
      } else if (r.$type !== 'bpmn:Message') {
        this.refuse(r, 'this root element is not part of winpath\'s BPMN mapping', `remove it (${DOCS})`);
      }
    }
    if (collaboration) this.readCollaboration(collaboration, proc);
    if (!proc) {
      this.bad(defs, 'the BPMN document holds no <bpmn:process>', 'a template is one bpmn:process with a wp:template extension');
      return undefined;
    }
    return this.readProcess(proc);
  }

  private readCollaboration(c: El, proc: El | undefined): void {
    this.onlyMapped(c, ['participants']);
    const participants = (c['participants'] ?? []) as El[];
    if (participants.length > 1) this.refuse(participants[1]!, 'a second pool: winpath reads a single-pool collaboration', 'keep one pool');
    for (const p of participants) {
      this.onlyMapped(p, []);
      if (p['processRef'] && p['processRef'] !== proc) this.refuse(p, 'the pool names another process', 'keep one process per file');
    }
    for (const a of (c['artifacts'] ?? []) as El[]) this.artifact(a);
  }

  private artifact(a: El): void {
    if (a.$type !== 'bpmn:TextAnnotation' && a.$type !== 'bpmn:Association') {
      this.refuse(a, 'only text annotations and their associations are read (and ignored)', 'remove it');
    }
  }

  private readProcess(proc: El): Raw {
    this.onlyMapped(proc, ['flowElements']);
    for (const a of (proc['artifacts'] ?? []) as El[]) this.artifact(a);
    const ext = this.extensions(proc, ['wp:Template'], ['wp:Template']);
    const tpl = ext.get('wp:Template')?.[0];
    this.mark([], proc);
    const raw: Raw = { id: this.key(proc, ['id']) };
    if (!tpl) {
      this.bad(proc, `${describe(proc)} has no <wp:template> extension element`, `add <bpmn:extensionElements><wp:template version="1">...</wp:template></bpmn:extensionElements> (${DOCS})`);
    } else this.readTemplate(proc, tpl, raw);
    this.readFlow(proc, raw);
    return raw;
  }

  private readTemplate(proc: El, tpl: El, raw: Raw): void {
    raw['name'] = this.text(proc, 'name', (tpl['names'] ?? []) as El[], ['name']);
    if (raw['name'] === undefined) this.mark(['name'], proc);
    raw['version'] = this.number(tpl, 'version', ['version']);
    if (raw['version'] === undefined) this.mark(['version'], tpl);
    raw['currency'] = this.string(tpl, 'currency', ['currency']);
    raw['idleAfter'] = this.duration(tpl, 'idleAfter', ['idleAfter']);
    raw['export'] = this.list(tpl, 'export', ['export']);
    raw['roles'] = ((tpl['roles'] ?? []) as El[]).map((r, i) => {
      this.mark(['roles', i], r, 'name');
      return this.attr(r, 'name');
    });
    const fields: Record<string, unknown> = {};
    ((tpl['fields'] ?? []) as El[]).forEach((f) => {
      const key = this.attr(f, 'key');
      if (key === undefined) return this.bad(f, '<wp:field> has no key', 'add key="..."');
      if (FORBIDDEN_KEYS.has(key)) return this.bad(f, `field key "${key}" is not allowed`, 'rename the field', 'key');
      if (Object.hasOwn(fields, key)) return this.bad(f, `field key "${key}" is used twice`, 'give each field a unique key', 'key');
      const p: PathSegment[] = ['fields', key];
      this.mark(p, f, 'key');
      fields[key] = {
        type: this.string(f, 'type', [...p, 'type']),
        required: this.boolean(f, 'required', [...p, 'required']),
        options: this.list(f, 'options', [...p, 'options']),
        dimension: this.boolean(f, 'dimension', [...p, 'dimension']),
        min: this.number(f, 'min', [...p, 'min']),
        max: this.number(f, 'max', [...p, 'max']),
        label: this.text(f, 'label', (f['labels'] ?? []) as El[], [...p, 'label']),
      };
    });
    raw['fields'] = fields;
    this.mark(['fields'], tpl);
    raw['lossReasons'] = ((tpl['lossReasons'] ?? []) as El[]).map((r, i) => {
      this.mark(['lossReasons', i], r, 'key');
      return this.attr(r, 'key');
    });
    this.mark(['lossReasons'], tpl);
    raw['permissions'] = this.permissionList((tpl['permissions'] ?? []) as El[], ['advance', 'lose', 'reopen', 'completeTask'], ['permissions']);
  }

  private permissionList(list: El[], actions: readonly string[], path: PathSegment[]): Raw | undefined {
    if (list.length === 0) return undefined;
    const out: Raw = {};
    for (const p of list) {
      const action = this.attr(p, 'action');
      if (action === undefined || !actions.includes(action)) {
        this.bad(p, `<wp:permission action="${action ?? ''}"> names no action winpath knows here`, `use one of: ${actions.join(', ')}`, 'action', path);
        continue;
      }
      if (Object.hasOwn(out, action)) this.bad(p, `the permission for ${action} is given twice`, 'merge the roles into one <wp:permission>', 'action', path);
      this.mark(path, p);
      out[action] = this.list(p, 'roles', [...path, action]) ?? [];
    }
    return out;
  }

  private readFlow(proc: El, raw: Raw): void {
    const elements = (proc['flowElements'] ?? []) as El[];
    const stages: El[] = [];
    const gateways: El[] = [];
    const flows: El[] = [];
    const timers: El[] = [];
    let start: El | undefined;
    for (const fe of elements) {
      switch (fe.$type) {
        case 'bpmn:StartEvent':
          if (start) this.bad(fe, `a second start event ${describe(fe)}`, 'keep one start event, leading to the first stage');
          else start = fe;
          this.onlyMapped(fe, []);
          this.extensions(fe, []);
          break;
        case 'bpmn:EndEvent':
          stages.push(fe);
          break;
        case 'bpmn:ExclusiveGateway':
          this.onlyMapped(fe, []);
          this.extensions(fe, []);
          gateways.push(fe);
          break;
        case 'bpmn:SequenceFlow':
          this.onlyMapped(fe, ['conditionExpression']);
          this.extensions(fe, []);
          flows.push(fe);
          break;
        case 'bpmn:BoundaryEvent':
          timers.push(fe);
          break;
        case 'bpmn:SendTask':
        case 'bpmn:IntermediateThrowEvent':
          this.refuse(fe, 'notify and emit actions belong inside a stage\'s subProcess, not on the main flow', 'move it into the subProcess of the stage whose entry sends it');
          break;
        default:
          if (STAGE_TYPES.has(fe.$type)) stages.push(fe);
          else this.refuse(fe, 'this element is not part of winpath\'s BPMN mapping', `remove it (${DOCS})`);
      }
    }

    const stageSet = new Set(stages);
    const keyOf = new Map<El, string | undefined>();
    const slaOf = new Map<El, El>();
    for (const t of timers) {
      const host = t['attachedToRef'] as El | undefined;
      if (!host || !stageSet.has(host) || host.$type === 'bpmn:EndEvent') {
        this.refuse(t, 'a boundary event is read only as the SLA timer of a stage', 'attach it to a stage (a subProcess or task on the main flow)');
      } else if (slaOf.has(host)) {
        this.bad(t, `a second SLA timer on ${describe(host)}`, 'keep one timer per stage');
      } else slaOf.set(host, t);
    }

    raw['stages'] = stages.map((s, i) => {
      const stage = this.readStage(s, i, slaOf.get(s));
      keyOf.set(s, stage['key'] as string | undefined);
      return stage;
    });
    this.mark(['stages'], proc);

    // sequence flows: each open stage has one way out, to a stage or through one exclusive gateway
    const lost = stages.find((s) => s.$type === 'bpmn:EndEvent' && this.attr(s, 'wp:outcome') === 'lost');
    const outgoing = new Map<El, El[]>();
    const incoming = new Map<El, El[]>();
    for (const f of flows) {
      const from = f['sourceRef'] as El | undefined;
      const to = f['targetRef'] as El | undefined;
      if (!from || !to) continue;
      if (to === lost) continue; // lose works from every open stage
      outgoing.set(from, [...(outgoing.get(from) ?? []), f]);
      incoming.set(to, [...(incoming.get(to) ?? []), f]);
      if (!(from === start || gateways.includes(from) || (stageSet.has(from) && from.$type !== 'bpmn:EndEvent'))) {
        if (timers.includes(from)) this.refuse(f, 'an SLA timer has no outgoing flow: its actions are in <wp:onBreach>', 'remove the flow');
        else this.bad(f, `sequence flow ${describe(f)} leaves ${describe(from)}, which cannot have outgoing flows`, 'remove it');
      }
      if (start && to === start) this.bad(f, `sequence flow ${describe(f)} leads into the start event`, 'remove it');
    }

    if (!start) this.bad(proc, `${describe(proc)} has no start event`, 'add a start event with one flow to the first stage');
    else {
      const outs = outgoing.get(start) ?? [];
      const first = stages[0];
      if (outs.length !== 1) this.bad(start, `the start event must have exactly one outgoing flow (it has ${outs.length})`, 'draw one flow from the start event to the first stage');
      else {
        const target = outs[0]!['targetRef'] as El;
        if (outs[0]!['conditionExpression']) this.bad(outs[0]!, 'the flow from the start event cannot have a condition', 'remove the condition');
        if (target !== first) {
          this.bad(outs[0]!, `the start event leads to ${describe(target)}, but the first stage in document order is ${first ? describe(first) : 'missing'}`, 'stage order is document order: move the first stage to the top of the process, or point the start flow at it');
        }
      }
    }

    const transitions: Raw[] = [];
    const usedGateways = new Set<El>();
    const addTransition = (from: El, flow: El): void => {
      const to = flow['targetRef'] as El;
      const i = transitions.length;
      const cond = flow['conditionExpression'] as El | undefined;
      const t: Raw = { from: keyOf.get(from), to: keyOf.get(to) };
      this.mark(['transitions', i], flow);
      this.mark(['transitions', i, 'from'], flow, 'sourceRef');
      this.mark(['transitions', i, 'to'], flow, 'targetRef');
      if (cond) {
        const body = this.attr(cond, 'body');
        if (body === undefined || body.trim() === '') this.bad(cond, `the condition of ${describe(flow)} is empty`, 'write a FEEL expression, or remove the condition');
        t['when'] = body;
        this.mark(['transitions', i, 'when'], cond);
      }
      transitions.push(t);
    };
    for (const s of stages) {
      if (s.$type === 'bpmn:EndEvent') continue;
      const outs = outgoing.get(s) ?? [];
      if (outs.length === 0) {
        this.bad(s, `open stage ${describe(s)} has no outgoing sequence flow`, 'in BPMN no next stage is implied: draw a flow to the next stage (or to an exclusive gateway)');
        continue;
      }
      if (outs.length > 1) {
        this.refuse(s, 'several flows leave this stage, which is a parallel split', 'route the choice through one exclusive gateway; flows into the lost end event may stay');
        continue;
      }
      const flow = outs[0]!;
      const target = flow['targetRef'] as El;
      if (gateways.includes(target)) {
        if (flow['conditionExpression']) this.bad(flow, `the flow into gateway ${describe(target)} cannot have a condition`, 'put the conditions on the flows out of the gateway');
        if ((incoming.get(target) ?? []).length !== 1) {
          this.refuse(target, 'a gateway that joins flows from several stages', 'give each stage its own exclusive gateway');
          continue;
        }
        usedGateways.add(target);
        const dflt = target['default'] as El | undefined;
        const gouts = outgoing.get(target) ?? [];
        if (gouts.length === 0) this.bad(target, `gateway ${describe(target)} leads nowhere`, 'draw its flows to the next stages');
        const ordered = [...gouts.filter((f) => f !== dflt), ...gouts.filter((f) => f === dflt)];
        for (const g of ordered) {
          const to = g['targetRef'] as El;
          if (gateways.includes(to)) this.refuse(to, 'a gateway after a gateway: a choice goes through one exclusive gateway', 'merge the two gateways into one');
          else if (!stageSet.has(to)) this.bad(g, `sequence flow ${describe(g)} leads to ${describe(to)}, which is not a stage`, 'point it at a stage or an end event');
          else {
            if (g === dflt && g['conditionExpression']) this.bad(g, `the default flow ${describe(g)} has a condition`, 'remove the condition from the default flow');
            addTransition(s, g);
          }
        }
      } else if (stageSet.has(target)) addTransition(s, flow);
      else this.bad(flow, `sequence flow ${describe(flow)} leads to ${describe(target)}, which is not a stage`, 'point it at a stage, an end event or an exclusive gateway');
    }
    for (const g of gateways) {
      if (!usedGateways.has(g) && !this.unsupported.some((u) => (u as { elementId?: string }).elementId === g['id'])) {
        this.bad(g, `gateway ${describe(g)} is not reached from a stage`, 'draw one flow into it from a stage, or remove it');
      }
    }
    raw['transitions'] = transitions;
    this.mark(['transitions'], proc);
  }

  private readStage(s: El, i: number, timer: El | undefined): Raw {
    const p: PathSegment[] = ['stages', i];
    this.mark(p, s);
    const isEnd = s.$type === 'bpmn:EndEvent';
    const ext = this.extensions(
      s,
      ['wp:Stage', 'wp:Name', 'wp:Guidance', 'wp:Requires', 'wp:Permission', ...(isEnd ? ['wp:OnEnter'] : [])],
      ['wp:Stage', 'wp:Requires', 'wp:OnEnter'],
    );
    const stage: Raw = { key: this.key(s, [...p, 'key']) };
    stage['name'] = this.text(s, 'name', ext.get('wp:Name') ?? [], [...p, 'name']);
    if (isEnd) {
      this.onlyMapped(s, []);
      const outcome = this.attr(s, 'wp:outcome');
      if (outcome === undefined) this.bad(s, `end event ${describe(s)} has no wp:outcome`, 'add wp:outcome="won" or wp:outcome="lost"');
      else this.mark([...p, 'outcome'], s, 'wp:outcome');
      stage['outcome'] = outcome;
    } else {
      if (s['loopCharacteristics']) this.refuse(s, 'a stage cannot be a loop or multi-instance', 'remove the loop marker; approvals are multi-instance user tasks inside a stage\'s subProcess');
      if (s.get('isForCompensation') === true) this.refuse(s, 'compensation is not part of winpath\'s BPMN mapping', 'remove isForCompensation');
      if (s['default']) this.refuse(s, 'a default flow out of an activity', 'route the choice through an exclusive gateway');
      if (s.$type === 'bpmn:SubProcess' && s.get('triggeredByEvent') === true) this.refuse(s, 'event subprocesses are not part of winpath\'s BPMN mapping', 'use a plain subProcess');
      this.onlyMapped(s, s.$type === 'bpmn:SubProcess' ? ['flowElements', 'loopCharacteristics'] : ['loopCharacteristics']);
    }
    const meta = ext.get('wp:Stage')?.[0];
    if (meta) {
      stage['probability'] = this.number(meta, 'probability', [...p, 'probability']);
      stage['forecast'] = this.string(meta, 'forecast', [...p, 'forecast']);
      stage['allowBack'] = this.boolean(meta, 'allowBack', [...p, 'allowBack']);
    }
    stage['guidance'] = this.text(s, undefined, ext.get('wp:Guidance') ?? [], [...p, 'guidance']);
    const req = ext.get('wp:Requires')?.[0];
    if (req) stage['requires'] = this.readRequires(req, [...p, 'requires']);
    stage['permissions'] = this.permissionList(ext.get('wp:Permission') ?? [], ['advance', 'lose'], [...p, 'permissions']);
    if (s.$type === 'bpmn:SubProcess') {
      for (const a of (s['artifacts'] ?? []) as El[]) this.artifact(a);
      stage['onEnter'] = ((s['flowElements'] ?? []) as El[]).map((a, j) => this.readInnerAction(a, [...p, 'onEnter', j])).filter((a) => a !== undefined);
      this.mark([...p, 'onEnter'], s);
    }
    const onEnter = ext.get('wp:OnEnter')?.[0];
    if (onEnter) {
      stage['onEnter'] = this.actionList(onEnter, [...p, 'onEnter']);
    }
    if (timer) stage['sla'] = this.readTimer(timer, [...p, 'sla']);
    return stage;
  }

  private readRequires(req: El, p: PathSegment[]): Raw {
    this.mark(p, req);
    const out: Raw = {
      fields: this.list(req, 'fields', [...p, 'fields']),
      tasks: this.list(req, 'tasks', [...p, 'tasks']),
      approvals: this.list(req, 'approvals', [...p, 'approvals']),
    };
    const deliverables = (req['deliverables'] ?? []) as El[];
    if (deliverables.length) {
      out['deliverables'] = deliverables.map((d, k) => {
        const dp = [...p, 'deliverables', k];
        this.mark(dp, d);
        return { key: this.string(d, 'key', [...dp, 'key']), name: this.text(d, 'name', (d['names'] ?? []) as El[], [...dp, 'name']) };
      });
    }
    const checks = (req['checks'] ?? []) as El[];
    if (checks.length) {
      out['checks'] = checks.map((c, k) => {
        const cp = [...p, 'checks', k];
        this.mark(cp, c);
        return {
          key: this.string(c, 'key', [...cp, 'key']),
          when: this.string(c, 'when', [...cp, 'when']),
          message: this.text(c, 'message', (c['messages'] ?? []) as El[], [...cp, 'message']),
        };
      });
    }
    return out;
  }

  private readTimer(t: El, p: PathSegment[]): Raw | undefined {
    this.mark(p, t);
    this.onlyMapped(t, ['eventDefinitions']);
    if (t.get('cancelActivity') !== false) {
      this.refuse(t, 'an interrupting timer: the SLA timer is non-interrupting', 'set cancelActivity="false" (a dashed circle in the modeller)');
    }
    const defs = (t['eventDefinitions'] ?? []) as El[];
    const timer = defs[0];
    if (defs.length !== 1 || timer?.$type !== 'bpmn:TimerEventDefinition') {
      this.refuse(t, 'only a timer boundary event (the stage SLA) is read', 'use a non-interrupting timer boundary event with a timeDuration');
      return undefined;
    }
    this.onlyMapped(timer, ['timeDuration']);
    const duration = timer['timeDuration'] as El | undefined;
    const body = duration ? this.attr(duration, 'body') : undefined;
    const sla: Raw = {};
    if (body === undefined || body.trim() === '') this.bad(t, `SLA timer ${describe(t)} has no timeDuration`, 'give the timer a duration such as P14D or businessDays:5');
    else {
      sla['within'] = readDuration(body);
      this.mark([...p, 'within'], duration!);
    }
    const ext = this.extensions(t, ['wp:OnBreach'], ['wp:OnBreach']);
    const onBreach = ext.get('wp:OnBreach')?.[0];
    if (onBreach) sla['onBreach'] = this.actionList(onBreach, [...p, 'onBreach']);
    return sla;
  }

  /** Actions held in <wp:onBreach> or an end event's <wp:onEnter>, in document order. */
  private actionList(holder: El, p: PathSegment[]): Raw[] {
    this.mark(p, holder);
    return ((holder['actions'] ?? []) as El[]).map((a, j) => {
      const ap = [...p, j];
      this.mark(ap, a);
      switch (a.$type) {
        case 'wp:Task': {
          const k = [...ap, 'task'];
          return { task: {
            key: this.string(a, 'key', [...k, 'key']), title: this.text(a, 'title', (a['titles'] ?? []) as El[], [...k, 'title']),
            role: this.string(a, 'role', [...k, 'role']), user: this.string(a, 'user', [...k, 'user']),
            due: this.duration(a, 'due', [...k, 'due']), when: this.string(a, 'when', [...k, 'when']),
          } };
        }
        case 'wp:Approval': {
          const k = [...ap, 'approval'];
          const mode = this.string(a, 'mode', [...k, 'mode']);
          return { approval: {
            key: this.string(a, 'key', [...k, 'key']), title: this.text(a, 'title', (a['titles'] ?? []) as El[], [...k, 'title']),
            approvers: this.list(a, 'approvers', [...k, 'approvers']), mode: mode === undefined ? undefined : readMode(mode),
            due: this.duration(a, 'due', [...k, 'due']), when: this.string(a, 'when', [...k, 'when']),
          } };
        }
        case 'wp:Notify':
          return { notify: this.notify(a, [...ap, 'notify']) };
        case 'wp:Reassign':
          return { reassign: this.reassign(a, [...ap, 'reassign']) };
        default:
          return { emit: { type: this.string(a, 'type', [...ap, 'emit', 'type']), when: this.string(a, 'when', [...ap, 'emit', 'when']) } };
      }
    });
  }

  private notify(n: El, k: PathSegment[]): Raw {
    return { to: this.string(n, 'to', [...k, 'to']), message: this.text(n, 'message', (n['messages'] ?? []) as El[], [...k, 'message']), when: this.string(n, 'when', [...k, 'when']) };
  }

  private reassign(r: El, k: PathSegment[]): Raw {
    return { task: this.string(r, 'task', [...k, 'task']), to: this.string(r, 'to', [...k, 'to']), when: this.string(r, 'when', [...k, 'when']) };
  }

  /** One element inside a stage's subProcess: a task, an approval, a notify or an emit. */
  private readInnerAction(a: El, ap: PathSegment[]): Raw | undefined {
    this.mark(ap, a);
    if (a.$type === 'bpmn:UserTask') {
      const loop = a['loopCharacteristics'] as El | undefined;
      if (!loop) {
        this.onlyMapped(a, []);
        const ext = this.extensions(a, ['wp:Assignment', 'wp:Name'], ['wp:Assignment']);
        const k = [...ap, 'task'];
        const task: Raw = { key: this.key(a, [...k, 'key']), title: this.text(a, 'name', ext.get('wp:Name') ?? [], [...k, 'title']) };
        const asg = ext.get('wp:Assignment')?.[0];
        if (asg) {
          task['role'] = this.string(asg, 'role', [...k, 'role']);
          task['user'] = this.string(asg, 'user', [...k, 'user']);
          task['due'] = this.duration(asg, 'due', [...k, 'due']);
          task['when'] = this.string(asg, 'when', [...k, 'when']);
        }
        if (task['title'] === undefined) this.mark([...k, 'title'], a);
        return { task };
      }
      if (loop.$type !== 'bpmn:MultiInstanceLoopCharacteristics') {
        this.refuse(a, 'a standard loop: approvals are multi-instance user tasks', 'use the parallel or sequential multi-instance marker');
        return undefined;
      }
      this.onlyMapped(a, ['loopCharacteristics']);
      this.onlyMapped(loop, ['completionCondition']);
      const ext = this.extensions(a, ['wp:Approval', 'wp:Name'], ['wp:Approval']);
      const spec = ext.get('wp:Approval')?.[0];
      const k = [...ap, 'approval'];
      if (!spec) {
        this.bad(a, `multi-instance user task ${describe(a)} has no <wp:approval>`, 'add <wp:approval approvers="role1,role2"/> to its extensionElements');
        return undefined;
      }
      for (const attr of ['key', 'title']) {
        if (this.attr(spec, attr) !== undefined) this.bad(spec, `<wp:approval ${attr}> is taken from the user task here`, attr === 'key' ? 'remove it; the key is the task id (or its wp:key)' : 'remove it; the title is the task name (and its wp:name children)', attr);
      }
      if (((spec['titles'] ?? []) as El[]).length) this.bad(spec, '<wp:title> inside an approval user task', 'give the other languages as <wp:name lang> on the user task');
      const approval: Raw = {
        key: this.key(a, [...k, 'key']),
        title: this.text(a, 'name', ext.get('wp:Name') ?? [], [...k, 'title']),
        approvers: this.list(spec, 'approvers', [...k, 'approvers']),
        due: this.duration(spec, 'due', [...k, 'due']),
        when: this.string(spec, 'when', [...k, 'when']),
      };
      if (approval['approvers'] === undefined) this.mark([...k, 'approvers'], spec);
      const mode = this.string(spec, 'mode', [...k, 'mode']);
      if (mode !== undefined) approval['mode'] = readMode(mode);
      else {
        const cond = loop['completionCondition'] as El | undefined;
        const sequential = loop.get('isSequential') === true;
        if (cond) {
          const n = readQuorumCondition(this.attr(cond, 'body') ?? '');
          if (n === undefined || sequential) {
            this.refuse(a, `completionCondition "${this.attr(cond, 'body') ?? ''}" is not read: winpath reads =nrOfCompletedInstances >= N on a parallel approval`, 'write =nrOfCompletedInstances >= N (N approvals), or set mode on <wp:approval>');
          } else approval['mode'] = n === 1 ? 'any' : { quorum: n };
        } else approval['mode'] = sequential ? 'sequential' : 'all';
        this.mark([...k, 'mode'], loop);
      }
      return { approval };
    }
    if (a.$type === 'bpmn:SendTask') {
      this.onlyMapped(a, []);
      const n = this.extensions(a, ['wp:Notify'], ['wp:Notify']).get('wp:Notify')?.[0];
      if (!n) {
        this.bad(a, `send task ${describe(a)} has no <wp:notify>`, 'add <wp:notify to="role" message="..."/> to its extensionElements');
        return undefined;
      }
      return { notify: this.notify(n, [...ap, 'notify']) };
    }
    if (a.$type === 'bpmn:IntermediateThrowEvent') {
      this.onlyMapped(a, ['eventDefinitions']);
      const defs = (a['eventDefinitions'] ?? []) as El[];
      if (defs.length !== 1 || defs[0]!.$type !== 'bpmn:MessageEventDefinition') {
        this.refuse(a, 'only a message throw event (an emit) is read inside a stage', 'use a message intermediate throw event with <wp:emit type="..."/>');
        return undefined;
      }
      const e = this.extensions(a, ['wp:Emit'], ['wp:Emit']).get('wp:Emit')?.[0];
      if (!e) {
        this.bad(a, `message throw event ${describe(a)} has no <wp:emit>`, 'add <wp:emit type="quote.requested"/> to its extensionElements');
        return undefined;
      }
      return { emit: { type: this.string(e, 'type', [...ap, 'emit', 'type']), when: this.string(e, 'when', [...ap, 'emit', 'when']) } };
    }
    if (a.$type === 'bpmn:Task') {
      this.onlyMapped(a, []);
      const r = this.extensions(a, ['wp:Reassign'], ['wp:Reassign']).get('wp:Reassign')?.[0];
      if (r) return { reassign: this.reassign(r, [...ap, 'reassign']) };
    }
    this.refuse(a, 'inside a stage winpath reads user tasks, send tasks, message throw events and tasks holding <wp:reassign> only', `remove it (${DOCS})`);
    return undefined;
  }
}

function localName(type: string): string {
  return type.slice(type.indexOf(':') + 1);
}

/** `wp:OnBreach` -> `wp:onBreach`, as written in XML. */
function tagOf(type: string): string {
  const [prefix, local] = type.split(':') as [string, string];
  return `${prefix}:${local.charAt(0).toLowerCase()}${local.slice(1)}`;
}

function describe(el: El): string {
  const id = el['id'];
  return `<${tagOf(el.$type)}${typeof id === 'string' ? ` id="${id}"` : ''}>`;
}

function findAttr(node: XmlNode, name: string): XmlAttr | undefined {
  const colon = name.indexOf(':');
  if (colon >= 0) {
    const local = name.slice(colon + 1);
    const prefix = name.slice(0, colon);
    const uri = prefix === 'wp' ? WP_NS : prefix === 'bpmn' ? BPMN_NS : undefined;
    return node.attrs.find((a) => a.local === local && (a.uri === uri || (prefix === 'bpmn' && a.uri === undefined)));
  }
  return node.attrs.find((a) => a.local === name && a.uri === undefined);
}

