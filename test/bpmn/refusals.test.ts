import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTemplate, WinpathError, type ErrorCode } from 'winpath';

// Each case is test/fixtures/bpmn/minimal.bpmn with ONE change. The line an error must name is
// found in the changed text through a marker (the one non-comment line holding it), never hard-coded.

const MINIMAL = readFileSync(new URL('../fixtures/bpmn/minimal.bpmn', import.meta.url), 'utf8');

function lineOf(source: string, marker: string): number {
  const hits = source.split('\n').flatMap((line, i) => (!line.trimStart().startsWith('<!--') && line.includes(marker) ? [i + 1] : []));
  if (hits.length !== 1) throw new Error(`marker "${marker}" is on ${hits.length} lines, not exactly one`);
  return hits[0]!;
}

function columnOf(source: string, lineMarker: string, marker: string): number {
  const line = source.split('\n')[lineOf(source, lineMarker) - 1]!;
  const at = line.indexOf(marker);
  if (at < 0) throw new Error(`"${marker}" is not on the line holding "${lineMarker}"`);
  return at + 1;
}

function edit(edits: [string | RegExp, string][]): string {
  let out = MINIMAL;
  for (const [from, to] of edits) {
    const next = out.replace(from, to);
    if (next === out) throw new Error(`edit ${String(from)} changed nothing`);
    out = next;
  }
  return out;
}

async function refusal(source: string): Promise<WinpathError> {
  try {
    await parseTemplate(source, { format: 'bpmn', fileName: 'x.bpmn' });
  } catch (e) {
    expect(e).toBeInstanceOf(WinpathError);
    return e as WinpathError;
  }
  throw new Error('expected the BPMN template to be refused');
}

interface Case {
  name: string;
  edits: [string | RegExp, string][];
  code: ErrorCode;
  /** Text on the offending line. */
  line: string;
  /** Where on that line the error points, when it matters. */
  column?: string;
  names: string[];
  element?: [id: string, type: string];
  path?: (string | number)[];
}

const END = '<bpmn:endEvent id="won"';
const before = (xml: string): [string, string] => [END, `${xml}\n    ${END}`];

const unsupported: Case[] = [
  { name: 'a parallel gateway', edits: [before('<bpmn:parallelGateway id="Gateway_par" />')], code: 'UNSUPPORTED_BPMN', line: 'Gateway_par', names: ['"Gateway_par" <bpmn:parallelGateway>', 'not part of winpath\'s BPMN mapping'], element: ['Gateway_par', 'bpmn:ParallelGateway'] },
  { name: 'a complex gateway', edits: [before('<bpmn:complexGateway id="Gateway_cx" />')], code: 'UNSUPPORTED_BPMN', line: 'Gateway_cx', names: ['<bpmn:complexGateway>'], element: ['Gateway_cx', 'bpmn:ComplexGateway'] },
  { name: 'a data object', edits: [before('<bpmn:dataObjectReference id="Data_1" />')], code: 'UNSUPPORTED_BPMN', line: 'Data_1', names: ['<bpmn:dataObjectReference>'], element: ['Data_1', 'bpmn:DataObjectReference'] },
  {
    name: 'an interrupting timer', code: 'UNSUPPORTED_BPMN', line: 'Timer_1', names: ['interrupting timer', 'cancelActivity="false"'], element: ['Timer_1', 'bpmn:BoundaryEvent'],
    edits: [before('<bpmn:boundaryEvent id="Timer_1" attachedToRef="qualify"><bpmn:timerEventDefinition><bpmn:timeDuration>P3D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>')],
  },
  {
    name: 'a message boundary event', code: 'UNSUPPORTED_BPMN', line: 'Msg_1', names: ['only a timer boundary event'], element: ['Msg_1', 'bpmn:BoundaryEvent'],
    edits: [before('<bpmn:boundaryEvent id="Msg_1" cancelActivity="false" attachedToRef="qualify"><bpmn:messageEventDefinition /></bpmn:boundaryEvent>')],
  },
  {
    name: 'two plain flows out of a stage (a parallel split)', code: 'UNSUPPORTED_BPMN', line: '<bpmn:subProcess id="qualify"', names: ['parallel split', 'one exclusive gateway'], element: ['qualify', 'bpmn:SubProcess'],
    edits: [['<bpmn:sequenceFlow id="Flow_3"', '<bpmn:sequenceFlow id="Flow_x" sourceRef="qualify" targetRef="won" />\n    <bpmn:sequenceFlow id="Flow_3"']],
  },
  {
    name: 'a send task on the main flow', code: 'UNSUPPORTED_BPMN', line: 'Notify_1', names: ['belong inside a stage\'s subProcess'], element: ['Notify_1', 'bpmn:SendTask'],
    edits: [before('<bpmn:sendTask id="Notify_1"><bpmn:extensionElements><wp:notify to="manager" message="x" /></bpmn:extensionElements></bpmn:sendTask>')],
  },
  {
    name: 'a completionCondition that is not a quorum', code: 'UNSUPPORTED_BPMN', line: '<bpmn:userTask id="discount-ok"', names: ['completionCondition "=approved = true"', '=nrOfCompletedInstances >= N'], element: ['discount-ok', 'bpmn:UserTask'],
    edits: [['<bpmn:multiInstanceLoopCharacteristics />', '<bpmn:multiInstanceLoopCharacteristics><bpmn:completionCondition xsi:type="bpmn:tFormalExpression">=approved = true</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics>']],
  },
  {
    name: 'a script task inside a stage', code: 'UNSUPPORTED_BPMN', line: 'Script_1', names: ['inside a stage winpath reads user tasks'], element: ['Script_1', 'bpmn:ScriptTask'],
    edits: [['<bpmn:userTask id="call" name="First call">', '<bpmn:scriptTask id="Script_1" />\n      <bpmn:userTask id="call" name="First call">']],
  },
  {
    name: 'a timer start event', code: 'UNSUPPORTED_BPMN', line: 'StartEvent_1" >', names: ['<bpmn:timerEventDefinition> is not part of winpath\'s BPMN mapping'], element: ['StartEvent_1', 'bpmn:StartEvent'],
    edits: [['<bpmn:startEvent id="StartEvent_1" />', '<bpmn:startEvent id="StartEvent_1" ><bpmn:timerEventDefinition /></bpmn:startEvent>']],
  },
  {
    name: 'an event subprocess', code: 'UNSUPPORTED_BPMN', line: '<bpmn:subProcess id="propose"', names: ['event subprocesses'], element: ['propose', 'bpmn:SubProcess'],
    edits: [['<bpmn:subProcess id="propose"', '<bpmn:subProcess id="propose" triggeredByEvent="true"']],
  },
  {
    name: 'a second pool', code: 'UNSUPPORTED_BPMN', line: 'Participant_2', names: ['a second pool'], element: ['Participant_2', 'bpmn:Participant'],
    edits: [['<bpmn:process id="minimal"', '<bpmn:collaboration id="C_1">\n    <bpmn:participant id="Participant_1" processRef="minimal" />\n    <bpmn:participant id="Participant_2" />\n  </bpmn:collaboration>\n  <bpmn:process id="minimal"']],
  },
  {
    name: 'a gateway after a gateway', code: 'UNSUPPORTED_BPMN', line: 'id="Gateway_2"', names: ['a gateway after a gateway'], element: ['Gateway_2', 'bpmn:ExclusiveGateway'],
    edits: [
      ['<bpmn:sequenceFlow id="Flow_2" sourceRef="qualify" targetRef="propose" />', '<bpmn:sequenceFlow id="Flow_2" sourceRef="qualify" targetRef="Gateway_1" />\n    <bpmn:sequenceFlow id="Flow_2b" sourceRef="Gateway_1" targetRef="Gateway_2" />\n    <bpmn:sequenceFlow id="Flow_2c" sourceRef="Gateway_2" targetRef="propose" />'],
      before('<bpmn:exclusiveGateway id="Gateway_1" />\n    <bpmn:exclusiveGateway id="Gateway_2" />'),
    ],
  },
];

const invalid: Case[] = [
  { name: 'malformed XML', edits: [['<wp:stage probability="10" />', '<wp:stage probability="10" / >']], code: 'TEMPLATE_INVALID', line: 'probability="10" / >', column: '/ >', names: ['malformed attribute in tag <wp:stage>'] },
  { name: 'an attribute value without quotes', edits: [['<wp:stage probability="10" />', '<wp:stage probability=10 />']], code: 'TEMPLATE_INVALID', line: 'probability=10', column: '=10', names: ['attribute probability has no quoted value'] },
  { name: 'an unknown attribute', edits: [['<wp:stage probability="10" />', '<wp:stage probabilty="10" />']], code: 'TEMPLATE_INVALID', line: 'probabilty', column: 'probabilty', names: ['unknown attribute probabilty on <wp:stage>'] },
  { name: 'a reference to no element', edits: [['targetRef="won"', 'targetRef="wonn"']], code: 'TEMPLATE_INVALID', line: 'wonn', column: 'wonn', names: ['targetRef names "wonn", which no element has as id'] },
  { name: 'a duplicate id', edits: [['<bpmn:userTask id="discount-ok" name="Discount">', '<bpmn:userTask id="call" name="Discount">']], code: 'TEMPLATE_INVALID', line: 'id="call" name="Discount"', column: '<bpmn:userTask id="call" name="Discount"', names: ['duplicate ID <call>'] },
  { name: 'an unknown wp element', edits: [['<wp:stage probability="10" />', '<wp:stag probability="10" />']], code: 'TEMPLATE_INVALID', line: '<wp:stag ', column: '<wp:stag', names: ['unknown element <wp:stag>'] },
  { name: 'an element without a namespace', edits: [['<wp:stage probability="10" />', '<stage probability="10" />']], code: 'TEMPLATE_INVALID', line: '<stage ', column: '<stage', names: ['element <stage> has no namespace'] },
  { name: 'text where none belongs', edits: [['<bpmn:startEvent id="StartEvent_1" />', '<bpmn:startEvent id="StartEvent_1">Begin</bpmn:startEvent>']], code: 'TEMPLATE_INVALID', line: 'Begin', column: 'Begin', names: ['text inside <bpmn:startEvent>'] },
  { name: 'no wp:template', edits: [[/<bpmn:extensionElements>\s*<wp:template[^]*?<\/bpmn:extensionElements>/, '']], code: 'TEMPLATE_INVALID', line: '<bpmn:process id="minimal"', names: ['<bpmn:process id="minimal"> has no <wp:template> extension element'] },
  { name: 'an open stage without outgoing flow', edits: [[/\s*<bpmn:sequenceFlow id="Flow_3"[^>]*>/, '']], code: 'TEMPLATE_INVALID', line: '<bpmn:subProcess id="propose"', names: ['open stage <bpmn:subProcess id="propose"> has no outgoing sequence flow', 'no next stage is implied'] },
  { name: 'a start event that skips the first stage', edits: [['targetRef="qualify"', 'targetRef="propose"']], code: 'TEMPLATE_INVALID', line: 'id="Flow_1"', names: ['the start event leads to <bpmn:subProcess id="propose">', 'the first stage in document order is <bpmn:subProcess id="qualify">'] },
  { name: 'an end event without an outcome', edits: [[' wp:outcome="lost"', '']], code: 'TEMPLATE_INVALID', line: '<bpmn:endEvent id="lost"', names: ['end event <bpmn:endEvent id="lost"> has no wp:outcome'] },
  { name: 'a number that is none', edits: [['probability="10"', 'probability="ten"']], code: 'TEMPLATE_INVALID', line: 'probability="ten"', column: 'ten', names: ['attribute probability="ten" is not a number'], path: ['stages', 0, 'probability'] },
  { name: 'an empty list item', edits: [['approvers="manager"', 'approvers="manager,"']], code: 'TEMPLATE_INVALID', line: 'approvers="manager,"', column: 'manager,', names: ['attribute approvers="manager," has an empty item'] },
  { name: 'an outcome that is neither won nor lost', edits: [['wp:outcome="lost"', 'wp:outcome="draw"']], code: 'TEMPLATE_INVALID', line: 'wp:outcome="draw"', column: 'draw', names: ['stages[3].outcome'], path: ['stages', 3, 'outcome'] },
  // the shared compile step, located through the BPMN elements
  { name: 'an undeclared role', edits: [['role="owner"', 'role="engineer"']], code: 'TEMPLATE_INVALID', line: 'role="engineer"', column: 'engineer', names: ['role "engineer" is not declared', 'owner, manager'], path: ['stages', 0, 'onEnter', 0, 'task', 'role'] },
  { name: 'a required field nobody declared', edits: [['fields="region"', 'fields="region, budget"']], code: 'TEMPLATE_INVALID', line: 'fields="region, budget"', column: 'budget', names: ['stage "qualify" requires field "budget"'], path: ['stages', 0, 'requires', 'fields', 1] },
  { name: 'FEEL naming an unknown variable', edits: [['when="amount &gt; 1000"', 'when="amout > 1000"']], code: 'TEMPLATE_INVALID', line: 'amout > 1000', column: 'amout', names: ['amout'], path: ['stages', 1, 'onEnter', 0, 'approval', 'when'] },
  { name: 'a modeller-generated id as a stage key', edits: [['id="qualify"', 'id="Activity_0abc"'], ['targetRef="qualify"', 'targetRef="Activity_0abc"'], ['sourceRef="qualify"', 'sourceRef="Activity_0abc"']], code: 'TEMPLATE_INVALID', line: 'id="Activity_0abc"', column: 'Activity_0abc', names: ['stages[0].key'], path: ['stages', 0, 'key'] },
];

describe('BPMN elements outside the mapping are UNSUPPORTED_BPMN, naming id, type and line', () => {
  it.each(unsupported.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const source = edit(c.edits);
    const e = await refusal(source);
    expect(e.code).toBe(c.code);
    const line = lineOf(source, c.line);
    expect(e.details.line).toBe(line);
    expect(e.details.file).toBe('x.bpmn');
    expect(e.message).toContain(`at line ${line}`);
    for (const n of c.names) expect(e.message).toContain(n);
    if (c.element) {
      expect(e.details['elementId']).toBe(c.element[0]);
      expect(e.details['elementType']).toBe(c.element[1]);
    }
    expect(e.details.fix).toBeTruthy();
  });
});

describe('malformed or invalid BPMN templates are TEMPLATE_INVALID with line and column', () => {
  it.each(invalid.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const source = edit(c.edits);
    const e = await refusal(source);
    expect(e.code).toBe(c.code);
    expect(e.details.file).toBe('x.bpmn');
    expect(e.details.line).toBe(lineOf(source, c.line));
    if (c.column) expect(e.details.column).toBe(columnOf(source, c.line, c.column));
    else expect(e.details.column).toBeGreaterThan(0);
    for (const n of c.names) expect(e.message).toContain(n);
    if (c.path) expect(e.details.path).toEqual(c.path);
  });

  it('says how to fix a modeller-generated id, and wp:key fixes it', async () => {
    const source = edit(invalid.find((c) => c.name.startsWith('a modeller'))!.edits);
    const e = await refusal(source);
    expect(e.details.fix).toContain('wp:key');
    const fixed = await parseTemplate(source.replace('id="Activity_0abc"', 'id="Activity_0abc" wp:key="qualify"'), { format: 'bpmn' });
    expect(fixed.stages[0]!.key).toBe('qualify');
  });

  it('reads well in full', async () => {
    const e = await refusal(edit([[' wp:outcome="lost"', '']]));
    expect(e.message).toMatchInlineSnapshot(`
      "[TEMPLATE_INVALID] end event <bpmn:endEvent id="lost"> has no wp:outcome
        at x.bpmn:39:5
        fix: add wp:outcome="won" or wp:outcome="lost""
    `);
    const u = await refusal(edit([before('<bpmn:parallelGateway id="Gateway_par" />')]));
    expect(u.message).toMatchInlineSnapshot(`
      "[UNSUPPORTED_BPMN] "Gateway_par" <bpmn:parallelGateway> at line 38: this element is not part of winpath's BPMN mapping
        at x.bpmn:38:5
        fix: remove it (see docs/bpmn.md for the mapping)"
    `);
  });
});

describe('the mapping reads what modellers add around it', () => {
  it('ignores documentation, foreign extensions, text annotations, lanes, a single pool and diagram colours', async () => {
    const plain = await parseTemplate(MINIMAL, { format: 'bpmn' });
    const decorated = edit([
      ['<bpmn:definitions ', '<bpmn:definitions xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '],
      ['<bpmn:process id="minimal"', '<bpmn:collaboration id="C_1"><bpmn:participant id="P_1" processRef="minimal" /></bpmn:collaboration>\n  <bpmn:process id="minimal" camunda:versionTag="7"'],
      ['<wp:stage probability="10" />', '<wp:stage probability="10" /><camunda:properties><camunda:property name="x" value="y" /></camunda:properties>'],
      ['<bpmn:startEvent id="StartEvent_1" />', '<bpmn:laneSet id="LS_1"><bpmn:lane id="L_1"><bpmn:flowNodeRef>qualify</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>\n    <bpmn:startEvent id="StartEvent_1"><bpmn:documentation>Where deals come in</bpmn:documentation></bpmn:startEvent>'],
      [END, '<bpmn:textAnnotation id="T_1"><bpmn:text>note</bpmn:text></bpmn:textAnnotation>\n    <bpmn:association id="A_1" sourceRef="qualify" targetRef="T_1" />\n    ' + END],
    ]);
    expect(await parseTemplate(decorated, { format: 'bpmn' })).toStrictEqual(plain);
  });

  it('reads a byte order mark and CRLF line ends, and still names lines right', async () => {
    const plain = await parseTemplate(MINIMAL, { format: 'bpmn' });
    expect(await parseTemplate(`\uFEFF${MINIMAL.replace(/\n/g, '\r\n')}`, { format: 'bpmn' })).toStrictEqual(plain);
    const bad = edit([['role="owner"', 'role="nobody"']]);
    const e = await refusal(bad.replace(/\n/g, '\r\n'));
    expect([e.details.line, e.details.column]).toEqual([lineOf(bad, 'role="nobody"'), columnOf(bad, 'role="nobody"', 'nobody')]);
  });
});
