/** renderDashboard: one self-contained HTML file (Chart.js inlined, data embedded as JSON, no network at view time). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DashboardData } from './collect-dashboard.js';
import { DASHBOARD_SCRIPT } from './dashboard-script.js';

let chartSource: string | undefined;

/** Chart.js's UMD build, read from the installed package (its `exports` do not list it, so it is found beside the main file). */
export function chartJsSource(): string {
  if (chartSource !== undefined) return chartSource;
  const require = createRequire(import.meta.url);
  const main = require.resolve('chart.js');
  const text = readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
  // no source map fetch at view time, and nothing that could close the inline script early
  chartSource = text.replace(/\/\/# sourceMappingURL=\S+\s*$/, '').replace(/<\/script/gi, '<\\/script');
  return chartSource;
}

/** JSON safe inside a <script> element. */
function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const STYLE = `
:root { --bg: #f4f6fb; --card: #ffffff; --ink: #0f172a; --muted: #64748b; --line: #e5e9f2; --accent: #2563eb; --good: #16a34a; --bad: #e11d48; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif; }
header { background: linear-gradient(120deg, #0f172a, #1e3a8a); color: #fff; }
.bar { max-width: 1320px; margin: 0 auto; padding: 20px 32px; display: flex; gap: 16px; align-items: center; justify-content: space-between; flex-wrap: wrap; }
.brand small { display: block; color: #93c5fd; font-size: 12px; letter-spacing: .08em; text-transform: uppercase; }
.brand h1 { margin: 2px 0 0; font-size: 22px; font-weight: 650; }
.brand h1 span { color: #bfdbfe; font-weight: 500; }
.controls { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
.controls label { font-size: 12px; color: #cbd5e1; display: flex; gap: 8px; align-items: center; }
select { font: inherit; padding: 6px 10px; border-radius: 8px; border: 1px solid #cbd5e1; background: #fff; color: var(--ink); }
header select { border-color: rgba(255,255,255,.25); }
.lang { display: inline-flex; border: 1px solid rgba(255,255,255,.35); border-radius: 8px; overflow: hidden; }
.lang button { font: inherit; background: transparent; color: #e2e8f0; border: 0; padding: 6px 12px; cursor: pointer; }
.lang button[aria-pressed="true"] { background: #fff; color: #1e3a8a; font-weight: 600; }
.meta { max-width: 1320px; margin: 0 auto; padding: 0 32px 16px; color: #cbd5e1; font-size: 12px; display: flex; gap: 24px; flex-wrap: wrap; }
.meta b { color: #fff; font-weight: 600; }
main { max-width: 1320px; margin: 0 auto; padding: 24px 32px 32px; }
.kpis { display: grid; grid-template-columns: repeat(6, minmax(0, 1fr)); gap: 16px; }
.card, .kpi { background: var(--card); border: 1px solid var(--line); border-radius: 14px; box-shadow: 0 1px 2px rgba(15, 23, 42, .05); }
.kpi { padding: 14px 16px; }
.kpi .label { color: var(--muted); font-size: 12px; }
.kpi .value { font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; margin-top: 2px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.kpi .note { color: var(--muted); font-size: 12px; min-height: 18px; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; margin-top: 16px; }
.card { padding: 16px 18px 18px; min-width: 0; }
.card h2 { font-size: 15px; margin: 0 0 12px; font-weight: 650; display: flex; justify-content: space-between; align-items: center; gap: 12px; }
.card.wide { grid-column: 1 / -1; }
.chart { position: relative; height: 300px; }
.fc { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 12px; margin-bottom: 10px; }
.fc .label { color: var(--muted); font-size: 12px; }
.fc .value { font-size: 18px; font-weight: 650; font-variant-numeric: tabular-nums; }
.fc .value.good { color: var(--good); } .fc .value.bad { color: var(--bad); }
.meter { position: relative; height: 8px; background: #eef2f7; border-radius: 99px; overflow: hidden; margin-bottom: 12px; }
.meter i { position: absolute; left: 0; top: 0; bottom: 0; border-radius: 99px; }
#fc-meter { background: #93c5fd; } #fc-meter-won { background: var(--good); }
.forecast .chart { height: 232px; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 13px; }
th, td { padding: 8px 10px; text-align: right; border-bottom: 1px solid var(--line); white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th { color: var(--muted); font-weight: 600; font-size: 12px; background: #f8fafc; }
tbody tr:hover { background: #f8fbff; }
tfoot td { font-weight: 650; border-bottom: 0; border-top: 2px solid var(--line); }
.scroll { overflow-x: auto; }
footer { max-width: 1320px; margin: 0 auto; padding: 0 32px 32px; color: var(--muted); font-size: 12px; }
@media (max-width: 1100px) { .kpis { grid-template-columns: repeat(3, minmax(0, 1fr)); } }
@media (max-width: 860px) { .grid { grid-template-columns: 1fr; } .kpis { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
`;

const kpi = (id: string, key: string) => `<div class="kpi" id="${id}"><div class="label" data-t="${key}"></div><div class="value"></div><div class="note"></div></div>`;
const card = (key: string, body: string, cls = '') => `<section class="card${cls ? ` ${cls}` : ''}"><h2><span data-t="${key}"></span></h2>${body}</section>`;

/** The whole page as one string; everything it needs is inside. */
export function renderDashboard(data: DashboardData): string {
  const lang = data.lang === 'zh' ? 'zh-CN' : 'en';
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="winpath">
<title>winpath dashboard</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <div class="bar">
    <div class="brand"><small data-t="subtitle"></small><h1><span data-t="title"></span> · <b id="template-name"></b></h1></div>
    <div class="controls">
      <label id="template-picker"><span data-t="template"></span><select id="template" aria-label="template"></select></label>
      <div class="lang" role="group" aria-label="language"><button type="button" id="lang-zh" lang="zh-CN">中文</button><button type="button" id="lang-en" lang="en">English</button></div>
    </div>
  </div>
  <div class="meta"><span><span data-t="period"></span>: <b id="period"></b></span><span><span data-t="asOf"></span>: <b id="as-of"></b></span></div>
</header>
<main>
  <div class="kpis">
    ${kpi('kpi-open', 'kpiOpen')}${kpi('kpi-pipeline', 'kpiPipeline')}${kpi('kpi-weighted', 'kpiWeighted')}${kpi('kpi-won', 'kpiWon')}${kpi('kpi-winrate', 'kpiWinRate')}${kpi('kpi-cycle', 'kpiCycle')}
  </div>
  <div class="grid">
    ${card('funnel', '<div class="chart"><canvas id="chart-funnel" role="img"></canvas></div>')}
    ${card('forecast', `<div class="fc"><div><div class="label" data-t="target"></div><div class="value" id="fc-target"></div></div><div><div class="label" data-t="gap"></div><div class="value" id="fc-gap"></div></div><div><div class="label" data-t="attainment"></div><div class="value" id="fc-attain"></div></div></div><div class="meter"><i id="fc-meter"></i><i id="fc-meter-won"></i></div><div class="chart"><canvas id="chart-forecast" role="img"></canvas></div>`, 'forecast')}
    ${card('conversion', '<div class="chart"><canvas id="chart-conversion" role="img"></canvas></div>')}
    ${card('cycleTime', '<div class="chart"><canvas id="chart-cycle" role="img"></canvas></div>')}
    ${card('lossReasons', '<div class="chart"><canvas id="chart-loss" role="img"></canvas></div>')}
    ${card('bottlenecks', '<div class="scroll"><table id="bottlenecks"></table></div>')}
    <section class="card wide"><h2><span data-t="drill"></span><label><span data-t="groupBy"></span> <select id="groupby" aria-label="group by"></select></label></h2><div class="scroll"><table id="drill"></table></div></section>
  </div>
</main>
<footer id="footer"></footer>
<script>${chartJsSource()}</script>
<script type="application/json" id="winpath-data">${embedJson(data)}</script>
<script>${DASHBOARD_SCRIPT}</script>
</body>
</html>
`;
}
