import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTemplate, parseTemplate, WinpathError, type ErrorCode } from 'winpath';

// Hostile XML: every case ends quickly with a clear, located error. Nothing is expanded, fetched or
// recursed into; size and depth are capped before bpmn-moddle sees the text.

const BPMN = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:wp="urn:winpath:bpmn:1"';
const doc = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions ${BPMN}>\n${body}\n</bpmn:definitions>\n`;
const PROCESS_OK = '<bpmn:process id="p"><bpmn:extensionElements><wp:template version="1"><wp:lossReason key="price" /></wp:template></bpmn:extensionElements></bpmn:process>';

async function refused(source: string, code: ErrorCode, withinMs = 5_000): Promise<WinpathError> {
  const started = performance.now();
  const e = await parseTemplate(source, { format: 'bpmn', fileName: 'evil.bpmn' }).then(() => undefined, (x: unknown) => x);
  const took = performance.now() - started;
  expect(e, 'the document is refused').toBeInstanceOf(WinpathError);
  expect((e as WinpathError).code).toBe(code);
  expect(took, `refused in ${Math.round(took)} ms`).toBeLessThan(withinMs);
  return e as WinpathError;
}

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<bpmn:definitions ${BPMN}><bpmn:process id="p" name="&lol9;" /></bpmn:definitions>`;

describe('entities are impossible', () => {
  it('refuses billion laughs at the DOCTYPE, before parsing', async () => {
    const e = await refused(BILLION_LAUGHS, 'TEMPLATE_INVALID');
    expect(e.details.line).toBe(2);
    expect(e.message).toContain('<!DOCTYPE is not allowed');
  });

  it('refuses an external entity (XXE) at the DOCTYPE', async () => {
    const e = await refused(`<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<bpmn:definitions ${BPMN}><bpmn:process id="p" name="&xxe;" /></bpmn:definitions>`, 'TEMPLATE_INVALID');
    expect(e.details.line).toBe(2);
    expect(e.message).not.toContain('root:');
  });

  it('refuses a bare DOCTYPE with an external DTD, and <!ENTITY anywhere', async () => {
    await refused(`<!DOCTYPE definitions SYSTEM "http://example.com/evil.dtd">\n${doc(PROCESS_OK)}`, 'TEMPLATE_INVALID');
    const e = await refused(doc(`<!-- <!ENTITY x "y"> -->\n${PROCESS_OK}`), 'TEMPLATE_INVALID');
    expect(e.details.line).toBe(3);
    expect(e.message).toContain('<!ENTITY is not allowed');
  });

  it('refuses entity references that no DTD declares, and characters XML forbids', async () => {
    const e = await refused(doc('<bpmn:process id="p" name="&xxe;" />'), 'TEMPLATE_INVALID');
    expect([e.details.line, e.details.column]).toEqual([3, 28]);
    expect(e.message).toContain('unknown entity reference');
    expect((await refused(doc('<bpmn:process id="p" name="a&#0;b" />'), 'TEMPLATE_INVALID')).message).toContain('&#0;');
    expect((await refused(doc('<bpmn:process id="p" name="a\u0001b" />'), 'TEMPLATE_INVALID')).message).toContain('U+0001');
    expect((await refused(doc('<bpmn:process id="p" name="a\uD800b" />'), 'TEMPLATE_INVALID')).message).toContain('U+D800');
  });
});

describe('size and depth are capped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'winpath-bpmn-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a 50 MB document with LIMIT_EXCEEDED before parsing', async () => {
    const big = doc(`<bpmn:process id="p">${'<bpmn:textAnnotation/>'.repeat(2_400_000)}</bpmn:process>`);
    expect(big.length).toBeGreaterThan(50_000_000);
    const e = await refused(big, 'LIMIT_EXCEEDED', 1_000);
    expect(e.message).toContain('over the limit of 5000000');
  });

  it('refuses a 50 MB file given to loadTemplate', async () => {
    const file = join(dir, 'big.bpmn');
    writeFileSync(file, doc(`<bpmn:process id="p">${' '.repeat(50_000_000)}</bpmn:process>`));
    const e = await loadTemplate(file).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(WinpathError);
    expect((e as WinpathError).code).toBe('LIMIT_EXCEEDED');
  });

  it('refuses deep nesting with LIMIT_EXCEEDED, naming where it goes too deep', async () => {
    const deep = doc(`<bpmn:process id="p">${'<bpmn:subProcess>'.repeat(100_000)}${'</bpmn:subProcess>'.repeat(100_000)}</bpmn:process>`);
    const e = await refused(deep, 'LIMIT_EXCEEDED');
    expect(e.details.line).toBe(3);
    expect(e.message).toContain('nested deeper than 64 levels');
  });

  it('refuses too many elements with LIMIT_EXCEEDED', async () => {
    await refused(doc(`<bpmn:process id="p">${'<bpmn:textAnnotation/>'.repeat(60_000)}</bpmn:process>`), 'LIMIT_EXCEEDED');
  });

  it('stays fast on documents built to make the parser report one problem per element', async () => {
    const n = 40_000;
    // bpmn-moddle locates each lax warning by rescanning the document: these must end at the first one
    const unknown = doc(`<bpmn:process id="p">\n${Array.from({ length: n }, (_, i) => `<bpmn:fooBar id="f${i}"/>`).join('\n')}\n</bpmn:process>`);
    expect((await refused(unknown, 'TEMPLATE_INVALID')).details.issues).toHaveLength(1);
    const dupes = doc(`<bpmn:process id="p">\n${'<bpmn:textAnnotation id="same"/>\n'.repeat(n)}</bpmn:process>`);
    expect((await refused(dupes, 'TEMPLATE_INVALID')).message).toContain('duplicate ID <same>');
    const texts = doc(`<bpmn:process id="p">\n${'<bpmn:textAnnotation>x</bpmn:textAnnotation>\n'.repeat(n)}</bpmn:process>`);
    expect((await refused(texts, 'TEMPLATE_INVALID')).details.issues!.length).toBeLessThanOrEqual(100);
    const attrs = doc(`<bpmn:process id="p" ${Array.from({ length: 100_000 }, (_, i) => `a${i}="1"`).join(' ')} />`);
    expect((await refused(attrs, 'TEMPLATE_INVALID')).details.issues!.length).toBeLessThanOrEqual(100);
    const gateways = doc(`<bpmn:process id="p">\n${Array.from({ length: n }, (_, i) => `<bpmn:parallelGateway id="g${i}"/>`).join('\n')}\n</bpmn:process>`);
    expect((await refused(gateways, 'UNSUPPORTED_BPMN')).details.issues!.length).toBeLessThanOrEqual(100);
  }, 60_000);
});

describe('the wrong namespace is a clear error', () => {
  it('refuses a root element that is not BPMN 2.0 definitions', async () => {
    const other = await refused('<definitions xmlns="http://example.com/not-bpmn"><process id="p"/></definitions>', 'TEMPLATE_INVALID');
    expect(other.message).toContain('namespace "http://example.com/not-bpmn", not BPMN 2.0 <definitions>');
    const none = await refused('<definitions><process id="p"/></definitions>', 'TEMPLATE_INVALID');
    expect(none.message).toContain('without a namespace');
    const yaml = await refused('id: b2b\nversion: 1\n', 'TEMPLATE_INVALID');
    expect(yaml.message).toContain('text outside the root element');
  });

  it('refuses another version of the winpath namespace instead of ignoring it', async () => {
    const e = await refused(doc('<bpmn:process id="p"><bpmn:extensionElements><wp2:template xmlns:wp2="urn:winpath:bpmn:2" version="1" /></bpmn:extensionElements></bpmn:process>'), 'TEMPLATE_INVALID');
    expect(e.message).toContain('"urn:winpath:bpmn:2", which this version of winpath does not read');
  });

  it('refuses an undeclared prefix and elements without a namespace', async () => {
    expect((await refused(doc('<bpmn:process id="p"><x:task /></bpmn:process>'), 'TEMPLATE_INVALID')).message).toContain('namespace prefix "x" is not declared');
    expect((await refused(doc('<bpmn:process id="p"><task /></bpmn:process>'), 'TEMPLATE_INVALID')).message).toContain('element <task> has no namespace');
  });
});

describe('malformed XML names line and column', () => {
  it.each([
    ['an unclosed element', `<bpmn:definitions ${BPMN}>\n<bpmn:process id="p">\n`, 'element <bpmn:process> opened at line 2 is never closed', 2, 1],
    ['a mismatched closing tag', doc('<bpmn:process id="p">\n  <bpmn:task id="t">\n</bpmn:process>'), 'closing tag </bpmn:process> does not match <bpmn:task> opened at line 4', 5, 1],
    ['a second root', `${doc(PROCESS_OK)}<bpmn:definitions ${BPMN} />`, 'a second root element', 5, 1],
    ['an unclosed attribute', doc('<bpmn:process id="p />'), 'the value of attribute id is never closed', 3, 15],
    ['a raw "<" in a value', doc('<bpmn:process id="p" name="a<b" />'), '"<" inside the value of attribute name', 3, 29],
    ['an unclosed comment', doc('<!-- never closed'), 'a comment is never closed', 3, 1],
  ])('%s', async (_name, source, message, line, column) => {
    const e = await refused(source, 'TEMPLATE_INVALID');
    expect(e.message).toContain(message);
    expect([e.details.line, e.details.column]).toEqual([line, column]);
  });
});
