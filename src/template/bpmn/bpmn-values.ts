/** The winpath BPMN extension: its namespace, the moddle instance, and the attribute value forms shared by reader and writer. */
import type { BpmnModdle } from 'bpmn-moddle';
import type { ApprovalMode, DurationSpec } from '../../model/index.js';
import winpathDescriptor from './winpath-moddle.json' with { type: 'json' };

export const WP_NS = 'urn:winpath:bpmn:1';
export const BPMN_NS = 'http://www.omg.org/spec/BPMN/20100524/MODEL';

/** The moddle descriptor of `xmlns:wp="urn:winpath:bpmn:1"`, for tools that read winpath BPMN with bpmn-moddle or bpmn-js. */
export const winpathModdleDescriptor = winpathDescriptor;

/** A BpmnModdle that knows the winpath extension; bpmn-moddle is loaded on first use only. */
export async function createWinpathModdle(): Promise<BpmnModdle> {
  const { BpmnModdle: Moddle } = await import('bpmn-moddle');
  return new Moddle({ wp: winpathDescriptor });
}

const BUSINESS_DAYS = /^businessDays:\s*(\d+)$/;

/** `P3D` stays a string; `businessDays:2` becomes `{ businessDays: 2 }`. */
export function readDuration(text: string): DurationSpec {
  const m = BUSINESS_DAYS.exec(text.trim());
  return m ? { businessDays: Number(m[1]) } : text.trim();
}

export function writeDuration(d: DurationSpec): string {
  return typeof d === 'string' ? d : `businessDays:${d.businessDays}`;
}

/** `all | any | sequential | quorum:N`; anything else is returned as given, for the schema to refuse. */
export function readMode(text: string): ApprovalMode | string {
  const t = text.trim();
  const q = /^quorum:\s*(\d+)$/.exec(t);
  if (q) return { quorum: Number(q[1]) };
  return t;
}

export function writeMode(mode: ApprovalMode): string {
  return typeof mode === 'string' ? mode : `quorum:${mode.quorum}`;
}

/** The quorum that a completionCondition `=nrOfCompletedInstances >= N` stands for, or undefined for any other condition. */
export function readQuorumCondition(text: string): number | undefined {
  const m = /^=?\s*nrOfCompletedInstances\s*>=\s*(\d+)\s*$/.exec(text.trim());
  return m ? Number(m[1]) : undefined;
}

export function writeQuorumCondition(n: number): string {
  return `=nrOfCompletedInstances >= ${n}`;
}
