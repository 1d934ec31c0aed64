/** Terminal renderings of reports, template summaries and explanations. */
import { textFor, type Explanation, type Opportunity, type ProcessDefinition } from '../index.js';
import { KIND_WORDS, lossReasonText, type Lang, type Text } from './cli-text.js';
import type { Style } from './cli-io.js';
import type { Report, TemplateSummary } from './collect-report.js';
import { formatAmount, formatDays, formatNumber, formatRate } from './format-figures.js';
import { renderTable, type TableColumn } from './render-table.js';

export interface PrintContext {
  lang: Lang;
  t: Text;
  style: Style;
  write(text: string): void;
}

const right = (header: string): TableColumn => ({ header, align: 'right' });
const left = (header: string): TableColumn => ({ header });

function heading(ctx: PrintContext, text: string): void {
  ctx.write(`\n${ctx.style.bold(text)}\n`);
}

function money(ctx: PrintContext, key: 'col.amount' | 'col.weighted', currency: string | null | undefined): string {
  const word = ctx.t(key);
  if (!currency) return word;
  return ctx.lang === 'zh' ? `${word}（${currency}）` : `${word} (${currency})`;
}

export function stageName(def: ProcessDefinition, key: string | null, ctx: PrintContext): string {
  if (key === null) return ctx.t('openToWon');
  return textFor(def.stages.find((s) => s.key === key)?.name, ctx.lang) || key;
}

/** The label of a groupBy key: a field's label, or the CLI's word for a deal column. */
export function groupLabel(def: ProcessDefinition, key: string, lang: Lang): string {
  const f = def.fields[key];
  if (f?.label) return textFor(f.label, lang);
  const words: Record<string, { en: string; zh: string }> = {
    owner: { en: 'Owner', zh: '负责人' }, stage: { en: 'Stage', zh: '阶段' }, status: { en: 'Status', zh: '状态' }, month: { en: 'Month opened', zh: '创建月份' },
  };
  return words[key]?.[lang] ?? key;
}

const groupText = (g: string | null | undefined) => (g === null || g === undefined ? '-' : g);

export function printTemplates(ctx: PrintContext, templates: readonly TemplateSummary[], title: string): void {
  heading(ctx, title);
  const { t, lang } = ctx;
  const sum = (k: 'opened' | 'won' | 'lost' | 'open') => formatNumber(templates.reduce((s, x) => s + x[k], 0), lang);
  ctx.write(renderTable(
    [left(t('col.template')), left(t('col.name')), right(t('col.opened')), right(t('col.won')), right(t('col.lost')), right(t('col.open'))],
    templates.map((x) => [x.id, textFor(x.name, lang), formatNumber(x.opened, lang), formatNumber(x.won, lang), formatNumber(x.lost, lang), formatNumber(x.open, lang)]),
    { color: ctx.style.enabled, footer: templates.length > 1 ? [[t('total'), '', sum('opened'), sum('won'), sum('lost'), sum('open')]] : [] },
  ));
}

export function printReport(ctx: PrintContext, report: Report, def: ProcessDefinition): void {
  const { t, lang, style } = ctx;
  const grouped = report.groupBy !== null;
  const g = grouped ? [left(groupLabel(def, report.groupBy!, lang))] : [];
  const gv = (row: { group?: string | null }) => (grouped ? [groupText(row.group)] : []);
  const cur = def.currency ?? null;
  const title = t('report.template', { name: textFor(def.name, lang), id: def.id });
  ctx.write(`\n${style.bold(style.cyan(`== ${title}${grouped ? ` · ${t('report.groupedBy', { group: groupLabel(def, report.groupBy!, lang) })}` : ''} ==`))}\n`);

  heading(ctx, t('section.funnel'));
  const f = report.funnel;
  ctx.write(renderTable(
    [...g, left(t('col.stage')), right(t('col.deals')), right(money(ctx, 'col.amount', cur)), right(money(ctx, 'col.weighted', cur)), right(t('col.probability'))],
    f.rows.map((r) => [...gv(r), stageName(def, r.stage, ctx), formatNumber(r.count, lang), formatAmount(r.amount, lang), formatAmount(r.weightedAmount, lang), `${r.probability}%`]),
    { color: style.enabled, footer: [[...(grouped ? [''] : []), t('total'), formatNumber(f.total.count, lang), formatAmount(f.total.amount, lang), formatAmount(f.total.weightedAmount, lang), '']] },
  ));

  heading(ctx, t('section.conversion'));
  ctx.write(renderTable(
    [...g, left(t('col.from')), left(t('col.to')), right(t('col.entered')), right(t('col.reached')), right(t('col.rate'))],
    report.conversion.rows.map((r) => [...gv(r), stageName(def, r.from, ctx), stageName(def, r.to, ctx), formatNumber(r.entered, lang), formatNumber(r.reached, lang), formatRate(r.rate, lang)]),
    { color: style.enabled },
  ));

  const fc = report.forecast;
  heading(ctx, t('section.forecast', { period: report.period, from: fc.period.from, to: fc.period.to }));
  const fig = (label: string, amount: number | null, deals?: number) => [label, amount === null ? '-' : formatAmount(amount, lang), deals === undefined ? '' : formatNumber(deals, lang)];
  const rows = [
    fig(t('fc.closedWon'), fc.closedWon, fc.counts.closedWon), fig(t('fc.commit'), fc.commit, fc.counts.commit), fig(t('fc.bestCase'), fc.bestCase, fc.counts.bestCase),
    fig(t('fc.pipeline'), fc.pipeline, fc.counts.pipeline), fig(t('fc.weighted'), fc.weighted), fig(t('fc.historical'), fc.historical),
  ];
  const footer = fc.target === null ? [] : [
    fig(t('fc.target'), fc.target),
    [t('fc.gap'), fc.gap! > 0 ? style.yellow(formatAmount(fc.gap!, lang)) : style.green(formatAmount(fc.gap!, lang)), ''],
    [t('fc.attainment'), fc.target > 0 ? formatRate((fc.closedWon + fc.commit) / fc.target, lang) : '-', ''],
  ];
  ctx.write(renderTable([left(t('col.figure')), right(money(ctx, 'col.amount', cur)), right(t('col.deals'))], rows, { color: style.enabled, footer }));
  if (fc.target === null) ctx.write(`${style.dim(t('fc.noTarget'))}\n`);
  if (grouped && fc.rows.length) {
    heading(ctx, t('section.forecastGroups', { group: groupLabel(def, report.groupBy!, lang) }));
    ctx.write(renderTable(
      [...g, right(t('col.closedWon')), right(t('col.commit')), right(t('col.bestCase')), right(t('col.pipeline')), right(t('col.weighted'))],
      fc.rows.map((r) => [groupText(r.group), formatAmount(r.closedWon, lang), formatAmount(r.commit, lang), formatAmount(r.bestCase, lang), formatAmount(r.pipeline, lang), formatAmount(r.weighted, lang)]),
      { color: style.enabled },
    ));
  }

  heading(ctx, t('section.cycleTime'));
  ctx.write(renderTable(
    [...g, left(t('col.stage')), right(t('col.count')), right(t('col.mean')), right(t('col.median')), right(t('col.p90'))],
    report.cycleTime.rows.map((r) => [...gv(r), stageName(def, r.stage, ctx), formatNumber(r.count, lang), formatDays(r.meanDays, lang), formatDays(r.medianDays, lang), formatDays(r.p90Days, lang)]),
    { color: style.enabled },
  ));

  heading(ctx, t('section.lossReasons'));
  const lr = report.lossReasons;
  ctx.write(renderTable(
    [...g, left(t('col.reason')), right(t('col.deals')), right(money(ctx, 'col.amount', cur)), right(t('col.share'))],
    lr.rows.filter((r) => r.count > 0).map((r) => [...gv(r), lossReasonText(r.reason)[lang], formatNumber(r.count, lang), formatAmount(r.amount, lang), lr.total.count ? formatRate(r.count / lr.total.count, lang) : '-']),
    { color: style.enabled, footer: [[...(grouped ? [''] : []), t('total'), formatNumber(lr.total.count, lang), formatAmount(lr.total.amount, lang), '']] },
  ));

  heading(ctx, t('section.bottlenecks'));
  ctx.write(renderTable(
    [left(t('col.stage')), right(t('col.medianDwell')), right(t('col.sla')), right(t('col.dropOff')), right(t('col.score'))],
    report.bottlenecks.rows.map((r, i) => {
      const score = formatNumber(r.score, lang, 2);
      return [stageName(def, r.stage, ctx), formatDays(r.medianDwellDays, lang), r.slaDays === null ? '-' : formatDays(r.slaDays, lang), formatRate(r.dropOffRate, lang), i === 0 ? style.red(score) : score];
    }),
    { color: style.enabled },
  ));
}

const FORECAST_WORDS: Record<string, { en: string; zh: string }> = {
  pipeline: { en: 'pipeline', zh: '管道' }, best_case: { en: 'best case', zh: '最佳情况' }, commit: { en: 'commit', zh: '承诺' },
  closed: { en: 'closed', zh: '已成交' }, omitted: { en: 'omitted', zh: '不计入' },
};

export function printExplanation(ctx: PrintContext, x: Explanation, deal: Opportunity, def: ProcessDefinition): void {
  const { t, lang, style } = ctx;
  const kind = (k: string) => KIND_WORDS[k]?.[lang] ?? k;
  const when = (at: string | null) => (at ? at.slice(0, 16).replace('T', ' ') : '-');
  const yes = style.green('✓');
  const no = style.red('✗');
  ctx.write(`${style.bold(t('explain.title', { title: x.title, id: x.opportunityId }))}\n`);
  ctx.write(`  ${t('explain.stage', { stage: x.stage.name, probability: x.stage.probability, forecast: FORECAST_WORDS[x.stage.forecast]?.[lang] ?? x.stage.forecast })}\n`);
  ctx.write(`  ${t('explain.status', { status: t(`status.${x.status}`) + (x.idle ? `, ${t('explain.idle')}` : '') })}\n`);
  ctx.write(`  ${t('explain.amount', { amount: deal.amount === null ? '-' : `${formatAmount(deal.amount, lang)}${def.currency ? ` ${def.currency}` : ''}`, owner: deal.owner })}\n`);
  if (x.stage.guidance) ctx.write(`  ${t('explain.guidance', { text: x.stage.guidance })}\n`);
  ctx.write(`  ${style.bold(style.cyan(t('explain.next', { text: x.summary })))}\n`);
  if (x.requirements.length) {
    heading(ctx, t('explain.requirements'));
    ctx.write(renderTable([left(''), left(t('col.kind')), left(t('col.requirement'))], x.requirements.map((r) => [r.met ? yes : no, kind(r.kind), r.message]), { color: style.enabled, indent: 2 }));
  }
  if (x.tasks.length) {
    heading(ctx, t('explain.tasks'));
    ctx.write(renderTable([left(t('col.task')), left(t('col.assignee')), left(t('col.due'))], x.tasks.map((k) => [k.title, k.assignee ?? '-', when(k.dueAt)]), { color: style.enabled, indent: 2 }));
  }
  if (x.approvals.length) {
    heading(ctx, t('explain.approvals'));
    ctx.write(renderTable([left(t('col.approval')), left(t('col.approvers')), left(t('col.due'))], x.approvals.map((a) => [a.title, a.approvers.join(', '), when(a.dueAt)]), { color: style.enabled, indent: 2 }));
  }
  if (x.next.length) {
    heading(ctx, t('explain.moves'));
    ctx.write(renderTable(
      [left(t('col.move')), left(t('col.kind')), left(t('col.allowed')), left(t('col.why'))],
      // the requirements are listed above: one reason per move keeps the line short
      x.next.map((m) => [m.name || m.stage, kind(m.kind), m.allowed ? `${yes} ${t('yes')}` : `${no} ${t('no')}`, m.reasons.length > 1 ? `${m.reasons[0]} ${t('more', { n: m.reasons.length - 1 })}` : m.reasons[0] ?? '']),
      { color: style.enabled, indent: 2 },
    ));
  }
}
