/** The engine's own sentences in zh and en (template texts come from the template). */

export type Lang = 'zh' | 'en';

const MESSAGES = {
  fieldMissing: { en: 'Fill in the field "{0}"', zh: '请填写字段「{0}」' },
  deliverableMissing: { en: 'Submit the deliverable "{0}"', zh: '请提交交付物「{0}」' },
  taskOpen: { en: 'Complete the task "{0}"', zh: '请完成任务「{0}」' },
  approvalPending: { en: 'The approval "{0}" is still pending', zh: '审批「{0}」尚未完成' },
  approvalRejected: { en: 'The approval "{0}" was rejected', zh: '审批「{0}」已被驳回' },
  checkFailed: { en: 'Check "{0}" does not hold: {1}', zh: '校验「{0}」未通过：{1}' },
  transitionFailed: { en: 'The way to "{0}" is closed: {1}', zh: '无法进入「{0}」：{1}' },
  noTransition: { en: 'No transition out of "{0}" holds', zh: '「{0}」没有满足条件的后续阶段' },
  backNeedsReason: { en: 'Moving back to "{0}" needs a reason', zh: '退回「{0}」需要填写原因' },
  backForbidden: { en: 'Stage "{0}" does not allow moving back', zh: '阶段「{0}」不允许退回' },
  forbidden: { en: '{0} may not {1} in stage "{2}"', zh: '{0} 无权在阶段「{2}」执行{1}' },
  closed: { en: 'The deal is {0}', zh: '商机已{0}' },
  nextStep: { en: 'Next: {0}', zh: '下一步：{0}' },
  readyToAdvance: { en: 'All requirements are met; the deal may move to "{0}"', zh: '所有要求均已满足，可推进到「{0}」' },
  won: { en: 'won', zh: '赢单' },
  lost: { en: 'lost', zh: '丢单' },
  idle: { en: 'No activity for a while: this deal is idle', zh: '长期无跟进：该商机已停滞' },
} as const;

export type MessageKey = keyof typeof MESSAGES;

/** Each sentence split once at its `{n}` slots: literal text at even indexes, slot numbers at odd ones. */
const split = new Map<string, (string | number)[]>();

function partsOf(text: string): (string | number)[] {
  let parts = split.get(text);
  if (!parts) {
    parts = text.split(/\{(\d)\}/).map((p, i) => (i % 2 === 1 ? Number(p) : p));
    split.set(text, parts);
  }
  return parts;
}

export function msg(key: MessageKey, lang: string, ...args: string[]): string {
  const table = MESSAGES[key] as Record<string, string>;
  const text = table[lang] ?? table['en']!;
  let out = '';
  for (const p of partsOf(text)) out += typeof p === 'number' ? (args[p] ?? '') : p;
  return out;
}
