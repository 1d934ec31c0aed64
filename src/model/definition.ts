/** ProcessDefinition: the compiled, JSON-serialisable IR every reader produces and the engine runs. */

/** A text in one language (a plain string) or several (`{ en, zh }`). */
export type I18nText = string | { readonly [lang: string]: string };

/** ISO 8601 duration (`P3D`, `PT4H`) or a count of business days. */
export type DurationSpec = string | { readonly businessDays: number };

export const FIELD_TYPES = ['string', 'text', 'number', 'money', 'boolean', 'date', 'enum', 'user', 'list'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const FORECAST_CATEGORIES = ['pipeline', 'best_case', 'commit', 'closed', 'omitted'] as const;
export type ForecastCategory = (typeof FORECAST_CATEGORIES)[number];

export interface FieldDef {
  readonly type: FieldType;
  readonly required?: boolean;
  readonly options?: readonly string[];
  readonly dimension?: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly label?: I18nText;
}

export type ApprovalMode = 'all' | 'any' | 'sequential' | { readonly quorum: number };

export interface TaskAction {
  readonly task: {
    readonly key: string;
    readonly title: I18nText;
    readonly role?: string;
    readonly user?: string;
    readonly due?: DurationSpec;
    readonly when?: string;
  };
}

export interface ApprovalAction {
  readonly approval: {
    readonly key: string;
    readonly title?: I18nText;
    readonly approvers: readonly string[];
    readonly mode: ApprovalMode;
    readonly due?: DurationSpec;
    readonly when?: string;
  };
}

export interface NotifyAction {
  readonly notify: { readonly to: string; readonly message: I18nText; readonly when?: string };
}

export interface EmitAction {
  readonly emit: { readonly type: string; readonly when?: string };
}

/** YAML-only: sets one field to a literal `value` or the result of a FEEL `expression`. */
export interface SetAction {
  readonly set: { readonly field: string; readonly value?: unknown; readonly expression?: string; readonly when?: string };
}

/** Escalation: moves the stage's open tasks (or one, by key) to a role, the owner or `user:<id>`. */
export interface ReassignAction {
  readonly reassign: { readonly task?: string; readonly to: string; readonly when?: string };
}

export type ActionSpec = TaskAction | ApprovalAction | NotifyAction | EmitAction | SetAction | ReassignAction;
export type ActionKind = 'task' | 'approval' | 'notify' | 'emit' | 'set' | 'reassign';

export interface DeliverableDef {
  readonly key: string;
  readonly name: I18nText;
}

export interface CheckDef {
  readonly key?: string;
  readonly when: string;
  readonly message?: I18nText;
}

export interface Requirements {
  readonly fields?: readonly string[];
  readonly deliverables?: readonly DeliverableDef[];
  readonly tasks?: readonly string[];
  readonly approvals?: readonly string[];
  readonly checks?: readonly CheckDef[];
}

export interface SlaDef {
  readonly within: DurationSpec;
  readonly onBreach?: readonly ActionSpec[];
}

export interface StagePermissions {
  readonly advance?: readonly string[];
  readonly lose?: readonly string[];
}

export interface StageDef {
  readonly key: string;
  readonly name: I18nText;
  readonly outcome?: 'won' | 'lost';
  readonly probability?: number;
  readonly forecast?: ForecastCategory;
  readonly guidance?: I18nText;
  readonly allowBack?: boolean;
  readonly onEnter?: readonly ActionSpec[];
  readonly requires?: Requirements;
  readonly sla?: SlaDef;
  readonly permissions?: StagePermissions;
}

export interface TransitionDef {
  readonly from: string;
  readonly to: string;
  readonly when?: string;
}

export interface TemplatePermissions {
  readonly advance?: readonly string[];
  readonly lose?: readonly string[];
  readonly reopen?: readonly string[];
  readonly completeTask?: readonly string[];
}

export interface ProcessDefinition {
  readonly id: string;
  readonly version: number;
  readonly name: I18nText;
  readonly currency?: string;
  readonly roles: readonly string[];
  readonly fields: { readonly [key: string]: FieldDef };
  readonly lossReasons: readonly string[];
  readonly idleAfter?: DurationSpec;
  readonly export?: readonly string[];
  readonly permissions?: TemplatePermissions;
  readonly stages: readonly StageDef[];
  /** Every forward transition, defaults made explicit, in stage order; first match wins. */
  readonly transitions: readonly TransitionDef[];
}

/** The kind of an entry action: the one key of its object. */
export function actionKind(action: ActionSpec): ActionKind {
  return Object.keys(action)[0] as ActionKind;
}

export function isOpenStage(stage: StageDef): boolean {
  return stage.outcome === undefined;
}

/** Win probability of a stage (0..100): its own, else 100 for won and 0 otherwise. */
export function stageProbability(stage: StageDef): number {
  return stage.probability ?? (stage.outcome === 'won' ? 100 : 0);
}

/** Forecast category of a stage: its own, else closed for won, omitted for lost, pipeline when open. */
export function stageForecast(stage: StageDef): ForecastCategory {
  return stage.forecast ?? (stage.outcome === 'won' ? 'closed' : stage.outcome === 'lost' ? 'omitted' : 'pipeline');
}

/** Reads a text in the wanted language, falling back to en, zh, then any. */
export function textFor(text: I18nText | undefined, lang: string = 'en'): string {
  if (text === undefined) return '';
  if (typeof text === 'string') return text;
  return text[lang] ?? text['en'] ?? text['zh'] ?? Object.values(text)[0] ?? '';
}

/** JSON with object keys sorted: equal data gives equal text whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) out[k] = (v as Record<string, unknown>)[k];
      return out;
    }
    return v;
  });
}
