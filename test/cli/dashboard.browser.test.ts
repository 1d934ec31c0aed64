import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalytics, loadTemplate, simulate, sqliteStore, textFor, type ProcessDefinition, type Store } from 'winpath';
import { collectDashboard, renderDashboard } from '../../src/cli/index.js';

// Headless Chromium opens the generated file and reads back what Chart.js drew.
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const TARGET = 5_000_000;
const PERIOD = '2026-Q3';

interface ChartData {
  id: string;
  type: string;
  labels: string[];
  datasets: { label: string; data: number[] }[];
}

let dir: string;
let store: Store;
let browser: Browser;
let page: Page;
let file: string;
const defs: Record<string, ProcessDefinition> = {};
const outside: string[] = [];

/** What Chart.js holds for the canvas `chart-<name>` (labels, dataset labels and figures). */
function chartData(name: string): Promise<ChartData> {
  return page.evaluate<ChartData>(`(() => {
    const c = Chart.getChart(document.getElementById('chart-${name}'));
    return { id: String(c.id), type: c.config.type, labels: c.data.labels.slice(), datasets: c.data.datasets.map((d) => ({ label: d.label, data: d.data.slice() })) };
  })()`);
}
const text = (selector: string) => page.evaluate<string>(`document.querySelector(${JSON.stringify(selector)}).textContent`);
const tableRows = (id: string) => page.evaluate<string[][]>(`Array.from(document.querySelectorAll('#${id} tbody tr')).map((tr) => Array.from(tr.cells).map((td) => td.textContent))`);

/** Every chart, checked against createAnalytics on the same store, in one language. */
async function expectChartsMatch(template: string, lang: 'en' | 'zh'): Promise<void> {
  const a = createAnalytics(store);
  const def = defs[template]!;
  const stage = (key: string | null) => (key === null ? (lang === 'zh' ? '从创建到赢单' : 'Open to won') : textFor(def.stages.find((s) => s.key === key)!.name, lang));
  const open = def.stages.filter((s) => s.outcome === undefined);
  const won = def.stages.find((s) => s.outcome === 'won')!.key;

  const funnel = await a.funnel({ template });
  const f = await chartData('funnel');
  expect(f.labels).toEqual(funnel.rows.map((r) => stage(r.stage)));
  expect(f.datasets.map((d) => d.data)).toEqual([funnel.rows.map((r) => r.amount), funnel.rows.map((r) => r.weightedAmount)]);
  expect(funnel.total.count).toBeGreaterThan(0);

  const forecast = await a.forecast({ template, period: PERIOD, ...(template === 'b2b-standard' ? { target: TARGET } : {}) });
  const fc = await chartData('forecast');
  expect(fc.datasets[0]!.data).toEqual([forecast.closedWon, forecast.commit, forecast.bestCase, forecast.pipeline, forecast.weighted, forecast.historical]);
  if (forecast.target === null) expect(fc.datasets).toHaveLength(1);
  else expect(fc.datasets[1]!.data).toEqual(Array(6).fill(TARGET));

  const conversion = await a.conversion({ template });
  const rate = (from: string, to: string) => Math.round(conversion.rows.find((r) => r.from === from && r.to === to)!.rate * 1000) / 10;
  const cv = await chartData('conversion');
  expect(cv.labels).toEqual(open.map((s) => stage(s.key)));
  expect(cv.datasets.map((d) => d.data)).toEqual([
    open.map((s, i) => rate(s.key, open[i + 1]?.key ?? won)),
    open.map((s) => rate(s.key, won)),
  ]);

  const cycle = await a.cycleTime({ template });
  const ct = await chartData('cycle');
  expect(ct.labels).toEqual(cycle.rows.map((r) => stage(r.stage)));
  expect(ct.datasets.map((d) => d.data)).toEqual([cycle.rows.map((r) => r.medianDays), cycle.rows.map((r) => r.p90Days)]);

  const losses = await a.lossReasons({ template });
  const lr = await chartData('loss');
  expect(lr.type).toBe('doughnut');
  expect(lr.datasets[0]!.data).toEqual(losses.rows.filter((r) => r.count > 0).map((r) => r.count));
  expect(lr.datasets[0]!.data.reduce((s, n) => s + n, 0)).toBe(losses.total.count);

  // the drill-down by owner: one row per owner, the open deals adding up to the funnel's
  await page.selectOption('#groupby', 'owner');
  const byOwner = await a.funnel({ template, groupBy: 'owner' });
  const owners = [...new Set(byOwner.rows.map((r) => r.group))];
  const rows = await tableRows('drill');
  expect(rows.map((r) => r[0])).toEqual(expect.arrayContaining(owners));
  const openCells = rows.map((r) => Number(r[1]!.replace(/,/g, '')));
  expect(openCells.reduce((s, n) => s + n, 0)).toBe(funnel.total.count);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the dashboard test needs Debian's chromium (apt-get install -y chromium)`);
  }
  dir = mkdtempSync(join(tmpdir(), 'winpath-dashboard-'));
  store = sqliteStore({ path: join(dir, 'dashboard.db') });
  for (const [id, deals, seed] of [['b2b-standard', 80, 11], ['saas-subscription', 50, 12]] as const) {
    defs[id] = await loadTemplate(id);
    await simulate({ template: defs[id]!, store, deals, seed, start: '2026-05-18T01:00:00Z', days: 91, behavior: { arrivalDays: 91 } });
  }
  const data = await collectDashboard(store, { period: PERIOD, targets: { 'b2b-standard': TARGET }, selected: 'b2b-standard', source: 'dashboard.db', lang: 'en' });
  file = join(dir, 'dashboard.html');
  writeFileSync(file, renderDashboard(data));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // a self-contained file: anything but the file itself is recorded and refused
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    outside.push(url);
    return route.abort();
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction('window.winpathDashboard !== undefined');
  expect(errors).toEqual([]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the HTML dashboard in headless Chromium', () => {
  it('is one file that asks the network for nothing', () => {
    expect(outside).toEqual([]);
  });

  it('draws every chart with the figures createAnalytics reads from the store', async () => {
    expect(await page.evaluate<string>('document.documentElement.lang')).toBe('en');
    expect(await text('#template-name')).toBe('Standard B2B sale');
    await expectChartsMatch('b2b-standard', 'en');
    expect((await chartData('funnel')).datasets.map((d) => d.label)).toEqual(['Amount', 'Weighted']);
    expect(await text('#fc-target')).toBe('¥5,000,000');
  });

  it('switches the drill-down dimension', async () => {
    await page.selectOption('#groupby', 'region');
    const a = createAnalytics(store);
    const q = { template: 'b2b-standard', groupBy: 'region' };
    const answers = await Promise.all([a.funnel(q), a.cycleTime(q), a.lossReasons(q), a.forecast({ ...q, period: PERIOD })]);
    const regions = [...new Set(answers.flatMap((x) => x.rows.map((r) => r.group)))].sort();
    const rows = await tableRows('drill');
    expect(rows.map((r) => r[0])).toEqual(regions);
    expect(await text('#drill thead th')).toBe('Region');
  });

  it('switches template in place', async () => {
    const before = await chartData('funnel');
    await page.selectOption('#template', 'saas-subscription');
    expect(await text('#template-name')).toBe('SaaS subscription sale');
    await expectChartsMatch('saas-subscription', 'en');
    expect((await chartData('funnel')).id).toBe(before.id);
    await page.selectOption('#template', 'b2b-standard');
  });

  it('relabels everything in place in Chinese, and back', async () => {
    const before = await chartData('funnel');
    await page.click('#lang-zh');
    expect(await page.evaluate<string>('document.documentElement.lang')).toBe('zh-CN');
    expect(await text('#template-name')).toBe('标准B2B销售');
    expect(await text('[data-t="funnel"]')).toBe('销售漏斗：各阶段进行中的商机');
    const after = await chartData('funnel');
    expect(after.id).toBe(before.id);
    expect(after.labels).toEqual(['初步接触', '需求分析', '方案报价', '商务谈判']);
    expect(after.datasets.map((d) => d.label)).toEqual(['金额', '加权金额']);
    expect((await chartData('forecast')).labels).toEqual(['已赢单', '承诺', '最佳情况', '管道', '加权金额', '按历史赢率']);
    await expectChartsMatch('b2b-standard', 'zh');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-zh.png'), fullPage: true });

    await page.click('#lang-en');
    expect((await chartData('funnel')).labels).toEqual(['Initial contact', 'Needs analysis', 'Proposal / quote', 'Negotiation']);
  });

  it('saves a screenshot as a test artifact', async () => {
    await page.selectOption('#groupby', 'owner');
    const shot = join(ARTIFACTS, 'dashboard.png');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(50_000);
  });
});
