/** The BPMN writer: a ProcessDefinition as BPMN 2.0 XML with winpath's extension and a laid-out diagram. */
import type { BpmnModdle, ModdleElement } from 'bpmn-moddle';
import { WinpathError, type PathSegment } from '../../errors/index.js';
import {
  isOpenStage, textFor, type ActionSpec, type ApprovalAction, type I18nText, type NotifyAction, type ProcessDefinition, type ReassignAction, type StageDef, type TaskAction,
} from '../../model/index.js';
import { createWinpathModdle, writeDuration, writeMode, writeQuorumCondition } from './bpmn-values.js';

type El = ModdleElement;
type Attrs = Record<string, unknown>;

const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const XML_ID = /^[A-Za-z_][\w.-]*$/;

/**
 * Writes a definition as BPMN 2.0 XML (DESIGN.md section 3) with a diagram laid out by
 * bpmn-auto-layout, so that it opens with visible shapes in bpmn.io-based modellers and
 * `parseTemplate(await toBpmn(def), { format: 'bpmn' })` equals `def`.
 * @example const xml = await toBpmn(await loadTemplate('b2b-standard'));
 * @throws WinpathError UNSUPPORTED_BPMN for what has no BPMN form (`set` actions, a list item holding a comma, characters XML cannot carry)
 */
export async function toBpmn(def: ProcessDefinition): Promise<string> {
  if (!def || typeof def !== 'object' || !Array.isArray(def.stages) || !Array.isArray(def.transitions)) {
    throw new WinpathError('INPUT_INVALID', 'toBpmn takes a ProcessDefinition (from parseTemplate or loadTemplate)', { fix: 'load the template first' });
  }
  assertWritable(def);
  const moddle = await createWinpathModdle();
  const xml = new BpmnWriter(moddle, def).write();
  const { xml: plain } = await moddle.toXML(xml, { format: true });
  const { layoutProcess } = await import('bpmn-auto-layout');
  const laidOut = await layoutProcess(plain);
  const out = await drillDownPlanes(moddle, laidOut);
  return out.endsWith('\n') ? out : `${out}\n`;
}

/**
 * bpmn-auto-layout draws the children of a collapsed subProcess into the root plane, on top of
 * the main flow; bpmn-js expects them in a plane of their own (the drill-down view).
 */
async function drillDownPlanes(moddle: BpmnModdle, xml: string): Promise<string> {
  const { rootElement: defs } = await moddle.fromXML(xml, 'bpmn:Definitions');
  const diagrams = defs.get('diagrams') as El[];
  const plane = diagrams[0]?.get('plane') as El | undefined;
  if (!plane) return xml;
  const keep: El[] = [];
  const bySub = new Map<El, El[]>();
  for (const shape of plane.get('planeElement') as El[]) {
    const parent = (shape.get('bpmnElement') as El | undefined)?.$parent;
    if (parent?.$type === 'bpmn:SubProcess') bySub.set(parent, [...(bySub.get(parent) ?? []), shape]);
    else keep.push(shape);
  }
  plane.set('planeElement', keep);
  const order = (sub: El): number => ((sub.$parent?.get('flowElements') as El[] | undefined) ?? []).indexOf(sub);
  for (const [sub, shapes] of [...bySub].sort(([a], [b]) => order(a) - order(b))) {
    const id = String(sub.get('id'));
    diagrams.push(moddle.create('bpmndi:BPMNDiagram', {
      id: `BPMNDiagram_${id}`,
      plane: moddle.create('bpmndi:BPMNPlane', { id: `BPMNPlane_${id}`, bpmnElement: sub, planeElement: shapes }),
    }));
  }
  return (await moddle.toXML(defs, { format: true })).xml;
}

/** Refuses what BPMN cannot carry, naming where it is. */
function assertWritable(def: ProcessDefinition): void {
  def.stages.forEach((s, i) => {
    const check = (actions: readonly ActionSpec[] | undefined, path: PathSegment[]): void => {
      actions?.forEach((a, j) => {
        if ('set' in a) {
          throw new WinpathError('UNSUPPORTED_BPMN', `stage "${s.key}" has a set action, which has no BPMN form`, {
            path: [...path, j, 'set'], fix: 'keep this template in YAML, or move the computation into the app that calls update',
          });
        }
      });
    };
    check(s.onEnter, ['stages', i, 'onEnter']);
    check(s.sla?.onBreach, ['stages', i, 'sla', 'onBreach']);
  });
  for (const [key, f] of Object.entries(def.fields)) {
    f.options?.forEach((o, k) => {
      if (o.includes(',') || o.trim() !== o) {
        throw new WinpathError('UNSUPPORTED_BPMN', `option "${o}" of field "${key}" holds a comma or edge whitespace, which a BPMN comma list cannot carry`, {
          path: ['fields', key, 'options', k], fix: 'rename the option',
        });
      }
    });
  }
  const walk = (v: unknown, path: PathSegment[]): void => {
    if (typeof v === 'string') {
      if (NOT_XML.test(v)) throw new WinpathError('UNSUPPORTED_BPMN', 'a text holds a character that XML cannot carry', { path, fix: 'remove control characters from the text' });
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(def, []);
}

class BpmnWriter {
  private readonly keys: Set<string>;

  constructor(private readonly m: BpmnModdle, private readonly def: ProcessDefinition) {
    this.keys = new Set(def.stages.map((s) => s.key));
    for (const s of def.stages) {
      for (const a of s.onEnter ?? []) {
        if ('task' in a) this.keys.add(a.task.key);
        if ('approval' in a) this.keys.add(a.approval.key);
      }
    }
  }

  private el(type: string, attrs: Attrs = {}): El {
    const clean: Attrs = {};
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined) clean[k] = v;
    return this.m.create(type, clean);
  }

  private ext(values: El[]): El | undefined {
    return values.length ? this.el('bpmn:ExtensionElements', { values }) : undefined;
  }

  /** The attribute text and the language children of a text (`name` = en, a child per other language). */
  private text(text: I18nText | undefined, childType: string): { attr?: string; children: El[] } {
    if (text === undefined) return { children: [] };
    if (typeof text === 'string') return { attr: text, children: [] };
    const entries = Object.entries(text);
    const en = text['en'];
    const others = entries.filter(([lang]) => lang !== 'en');
    const child = ([lang, t]: [string, string]): El => this.el(childType, { lang, text: t });
    if (en === undefined) return { children: entries.map(child) };
    return { attr: en, children: (others.length ? others : [['en', en] as [string, string]]).map(child) };
  }

  /** Guidance has no attribute: a plain text is one child without `lang`. */
  private guidance(text: I18nText | undefined): El[] {
    if (text === undefined) return [];
    if (typeof text === 'string') return [this.el('wp:Guidance', { text })];
    return Object.entries(text).map(([lang, t]) => this.el('wp:Guidance', { lang, text: t }));
  }

  write(): El {
    const def = this.def;
    const nameText = this.text(def.name, 'wp:Name');
    const template = this.el('wp:Template', {
      version: String(def.version),
      currency: def.currency,
      idleAfter: def.idleAfter === undefined ? undefined : writeDuration(def.idleAfter),
      export: def.export?.join(','),
      names: nameText.children,
      roles: def.roles.map((name) => this.el('wp:Role', { name })),
      fields: Object.entries(def.fields).map(([key, f]) => {
        const label = this.text(f.label, 'wp:Label');
        return this.el('wp:Field', {
          key, type: f.type, required: bool(f.required), options: f.options?.join(','), dimension: bool(f.dimension),
          min: num(f.min), max: num(f.max), label: label.attr, labels: label.children,
        });
      }),
      lossReasons: def.lossReasons.map((key) => this.el('wp:LossReason', { key })),
      permissions: Object.entries(def.permissions ?? {}).map(([action, roles]) => this.el('wp:Permission', { action, roles: (roles as string[]).join(',') })),
    });
    const processId = XML_ID.test(def.id) && !this.keys.has(def.id) ? def.id : 'Process_1';

    const elements: El[] = [];
    const flows: El[] = [];
    const byKey = new Map<string, El>();
    const connect = (from: El, to: El, when?: string): El => {
      const flow = this.el('bpmn:SequenceFlow', {
        id: `Flow_${flows.length + 1}`,
        name: when,
        sourceRef: from,
        targetRef: to,
        conditionExpression: when === undefined ? undefined : this.el('bpmn:FormalExpression', { body: when }),
      });
      for (const [node, prop] of [[from, 'outgoing'], [to, 'incoming']] as const) {
        const list = (node.get(prop) as El[] | undefined) ?? [];
        list.push(flow);
        node.set(prop, list);
      }
      flows.push(flow);
      return flow;
    };

    const start = this.el('bpmn:StartEvent', { id: 'StartEvent_1' });
    elements.push(start);
    for (const s of def.stages) {
      const el = this.stage(s);
      byKey.set(s.key, el);
      elements.push(el);
      if (s.sla) {
        const onBreach = s.sla.onBreach === undefined ? [] : [this.el('wp:OnBreach', { actions: s.sla.onBreach.map((a) => this.action(a)) })];
        elements.push(this.el('bpmn:BoundaryEvent', {
          id: `Timer_${s.key}`,
          name: `SLA ${writeDuration(s.sla.within)}`,
          attachedToRef: el,
          cancelActivity: false,
          eventDefinitions: [this.el('bpmn:TimerEventDefinition', {
            id: `TimerDef_${s.key}`,
            timeDuration: this.el('bpmn:FormalExpression', { body: writeDuration(s.sla.within) }),
          })],
          extensionElements: this.ext(onBreach),
        }));
      }
    }
    const first = def.stages[0];
    if (first) connect(start, byKey.get(first.key)!);
    for (const s of def.stages) {
      if (!isOpenStage(s)) continue;
      const from = byKey.get(s.key)!;
      const ts = def.transitions.filter((t) => t.from === s.key);
      if (ts.length === 1 && ts[0]!.when === undefined) {
        connect(from, byKey.get(ts[0]!.to)!);
        continue;
      }
      const gateway = this.el('bpmn:ExclusiveGateway', { id: `Gateway_${s.key}` });
      elements.splice(elements.indexOf(from) + 1, 0, gateway);
      connect(from, gateway);
      ts.forEach((t, k) => {
        const flow = connect(gateway, byKey.get(t.to)!, t.when);
        if (k === ts.length - 1 && t.when === undefined) gateway.set('default', flow);
      });
    }

    const proc = this.el('bpmn:Process', {
      id: processId,
      name: nameText.attr,
      isExecutable: false,
      extensionElements: this.ext([template]),
      flowElements: [...elements, ...flows],
    });
    if (processId !== def.id) proc.set('wp:key', def.id);
    return this.el('bpmn:Definitions', {
      id: 'Definitions_1',
      targetNamespace: 'urn:winpath:template',
      exporter: 'winpath',
      rootElements: [proc],
    });
  }

  private stage(s: StageDef): El {
    const name = this.text(s.name, 'wp:Name');
    const meta = s.probability !== undefined || s.forecast !== undefined || s.allowBack !== undefined
      ? [this.el('wp:Stage', { probability: num(s.probability), forecast: s.forecast, allowBack: bool(s.allowBack) })]
      : [];
    const req = s.requires;
    const requires = req === undefined ? [] : [this.el('wp:Requires', {
      fields: req.fields?.join(','),
      tasks: req.tasks?.join(','),
      approvals: req.approvals?.join(','),
      deliverables: req.deliverables?.map((d) => {
        const n = this.text(d.name, 'wp:Name');
        return this.el('wp:Deliverable', { key: d.key, name: n.attr, names: n.children });
      }),
      checks: req.checks?.map((c) => {
        const msg = this.text(c.message, 'wp:Message');
        return this.el('wp:Check', { key: c.key, when: c.when, message: msg.attr, messages: msg.children });
      }),
    })];
    const permissions = Object.entries(s.permissions ?? {}).map(([action, roles]) => this.el('wp:Permission', { action, roles: (roles as string[]).join(',') }));
    const ext = [...meta, ...name.children, ...this.guidance(s.guidance), ...requires, ...permissions];
    if (s.outcome) {
      if (s.onEnter !== undefined) ext.push(this.el('wp:OnEnter', { actions: s.onEnter.map((a) => this.action(a)) }));
      const end = this.el('bpmn:EndEvent', { id: s.key, name: name.attr, extensionElements: this.ext(ext) });
      end.set('wp:outcome', s.outcome);
      return end;
    }
    if (s.onEnter === undefined) return this.el('bpmn:Task', { id: s.key, name: name.attr, extensionElements: this.ext(ext) });
    return this.el('bpmn:SubProcess', {
      id: s.key,
      name: name.attr,
      extensionElements: this.ext(ext),
      flowElements: s.onEnter.map((a, j) => this.inner(s, a, j)),
    });
  }

  /** An entry action inside a stage's subProcess. */
  private inner(s: StageDef, a: ActionSpec, j: number): El {
    if ('task' in a) {
      const t = a.task;
      const title = this.text(t.title, 'wp:Name');
      const asg = t.role !== undefined || t.user !== undefined || t.due !== undefined || t.when !== undefined
        ? [this.el('wp:Assignment', { role: t.role, user: t.user, due: t.due === undefined ? undefined : writeDuration(t.due), when: t.when })]
        : [];
      return this.el('bpmn:UserTask', { id: t.key, name: title.attr, extensionElements: this.ext([...asg, ...title.children]) });
    }
    if ('approval' in a) {
      const ap = a.approval;
      const title = this.text(ap.title, 'wp:Name');
      const mode = ap.mode ?? 'all';
      const quorum = mode === 'any' ? 1 : typeof mode === 'object' ? mode.quorum : undefined;
      const loop = this.el('bpmn:MultiInstanceLoopCharacteristics', {
        isSequential: mode === 'sequential',
        completionCondition: quorum === undefined ? undefined : this.el('bpmn:FormalExpression', { body: writeQuorumCondition(quorum) }),
      });
      const spec = this.el('wp:Approval', {
        approvers: ap.approvers.join(','),
        // quorum 1 reads back as `any` from the condition alone
        mode: typeof mode === 'object' && mode.quorum === 1 ? writeMode(mode) : undefined,
        due: ap.due === undefined ? undefined : writeDuration(ap.due),
        when: ap.when,
      });
      return this.el('bpmn:UserTask', { id: ap.key, name: title.attr, loopCharacteristics: loop, extensionElements: this.ext([spec, ...title.children]) });
    }
    if ('notify' in a) {
      return this.el('bpmn:SendTask', {
        id: `Notify_${s.key}_${j + 1}`,
        name: clip(`${a.notify.to}: ${textFor(a.notify.message)}`),
        extensionElements: this.ext([this.notify(a.notify)]),
      });
    }
    if ('emit' in a) {
      return this.el('bpmn:IntermediateThrowEvent', {
        id: `Emit_${s.key}_${j + 1}`,
        name: a.emit.type,
        eventDefinitions: [this.el('bpmn:MessageEventDefinition', { id: `EmitDef_${s.key}_${j + 1}` })],
        extensionElements: this.ext([this.el('wp:Emit', { type: a.emit.type, when: a.emit.when })]),
      });
    }
    if ('reassign' in a) {
      return this.el('bpmn:Task', {
        id: `Reassign_${s.key}_${j + 1}`,
        name: clip(`${a.reassign.task ?? 'tasks'} to ${a.reassign.to}`),
        extensionElements: this.ext([this.reassign(a.reassign)]),
      });
    }
    throw new WinpathError('UNSUPPORTED_BPMN', `stage "${s.key}" has an action with no BPMN form`, { path: ['stages', this.def.stages.indexOf(s), 'onEnter', j] });
  }

  private notify(n: NotifyAction['notify']): El {
    const msg = this.text(n.message, 'wp:Message');
    return this.el('wp:Notify', { to: n.to, message: msg.attr, messages: msg.children, when: n.when });
  }

  private reassign(r: ReassignAction['reassign']): El {
    return this.el('wp:Reassign', { task: r.task, to: r.to, when: r.when });
  }

  /** An action inside <wp:onBreach> or an end event's <wp:onEnter>. */
  private action(a: ActionSpec): El {
    if ('task' in a) {
      const t: TaskAction['task'] = a.task;
      const title = this.text(t.title, 'wp:Title');
      return this.el('wp:Task', {
        key: t.key, title: title.attr, titles: title.children, role: t.role, user: t.user,
        due: t.due === undefined ? undefined : writeDuration(t.due), when: t.when,
      });
    }
    if ('approval' in a) {
      const ap: ApprovalAction['approval'] = a.approval;
      const title = this.text(ap.title, 'wp:Title');
      return this.el('wp:Approval', {
        key: ap.key, title: title.attr, titles: title.children, approvers: ap.approvers.join(','), mode: writeMode(ap.mode ?? 'all'),
        due: ap.due === undefined ? undefined : writeDuration(ap.due), when: ap.when,
      });
    }
    if ('notify' in a) return this.notify(a.notify);
    if ('emit' in a) return this.el('wp:Emit', { type: a.emit.type, when: a.emit.when });
    if ('reassign' in a) return this.reassign(a.reassign);
    throw new WinpathError('UNSUPPORTED_BPMN', 'an action with no BPMN form', { fix: 'keep this template in YAML' });
  }
}

function bool(v: boolean | undefined): string | undefined {
  return v === undefined ? undefined : String(v);
}

function num(v: number | undefined): string | undefined {
  return v === undefined ? undefined : String(v);
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
