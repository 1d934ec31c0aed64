/**
 * The fuzz checker: one template source in, one verdict out. Accepted, or refused with a WinpathError whose
 * details name a location (line or path), within a time bound; anything else is a violation.
 */
import { createEngine, lintTemplate, memoryStore, WinpathError, type ProcessDefinition } from '../../../src/index.js';
import type { Format } from './corpus.js';

export type Parse = (source: string, format: Format) => Promise<ProcessDefinition>;

export interface Verdict {
  accepted: boolean;
  /** The WinpathError code of a refusal. */
  code?: string;
  /** What is wrong, when something is. */
  violation?: string;
  /** Refusals carrying several issues where some issue names no place. */
  unlocatedIssues: number;
  ms: number;
}

const located = (d: { line?: unknown; path?: unknown }): boolean => (typeof d.line === 'number' && d.line >= 1) || Array.isArray(d.path);

export async function judge(parse: Parse, source: string, format: Format, boundMs: number): Promise<Verdict> {
  const started = performance.now();
  const v: Verdict = { accepted: false, unlocatedIssues: 0, ms: 0 };
  try {
    const def = await parse(source, format);
    v.accepted = true;
    // an accepted template must also be usable: lint it, and open a deal on it (refusals are fine, crashes are not)
    lintTemplate(def);
    const engine = createEngine({ store: memoryStore(), templates: [def], clock: () => new Date('2026-03-02T09:00:00.000Z') });
    await engine.open({ template: def.id, title: 'Fuzz', owner: 'sam', actor: 'sam' }).catch((e: unknown) => {
      if (!(e instanceof WinpathError)) throw e;
    });
  } catch (e) {
    if (!(e instanceof WinpathError)) {
      v.violation = `${v.accepted ? 'after acceptance, ' : ''}threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`.slice(0, 300);
    } else if (v.accepted) {
      v.violation = `accepted, then the engine refused it: ${e.message.slice(0, 200)}`;
    } else {
      v.code = e.code;
      if (!located(e.details)) v.violation = `${e.code} without a location (line or path): ${e.message.split('\n')[0]!.slice(0, 200)}`;
      v.unlocatedIssues = (e.details.issues ?? []).filter((i) => !located(i)).length;
    }
  }
  v.ms = performance.now() - started;
  if (!v.violation && v.ms > boundMs) v.violation = `took ${Math.round(v.ms)} ms, over the bound of ${boundMs} ms`;
  return v;
}
