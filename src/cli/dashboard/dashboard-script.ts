/** The dashboard page's own script (plain browser JavaScript): draws the charts from the embedded data, switches template, group and language in place. */

// Kept free of backticks and dollar-brace so it can live in this raw string untouched.
export const DASHBOARD_SCRIPT = String.raw`
(function () {
  'use strict';
  var DATA = JSON.parse(document.getElementById('winpath-data').textContent);
  var state = { lang: DATA.lang, template: DATA.selected, groupBy: 'owner' };
  var charts = {};
  var PALETTE = ['#2563eb', '#0d9488', '#f59e0b', '#7c3aed', '#e11d48', '#0891b2', '#65a30d', '#db2777', '#64748b', '#ea580c'];
  var COLOR = { blue: '#2563eb', blueSoft: 'rgba(37, 99, 235, 0.28)', teal: '#0d9488', amber: '#f59e0b', green: '#16a34a', rose: '#e11d48', slate: '#94a3b8', ink: '#0f172a' };

  function $(id) { return document.getElementById(id); }
  function T(key, vars) {
    var s = DATA.text[state.lang][key] || DATA.text.en[key] || key;
    if (vars) Object.keys(vars).forEach(function (k) { s = s.split('{' + k + '}').join(String(vars[k])); });
    return s;
  }
  function tr(text) { return text ? (text[state.lang] || text.en) : ''; }
  function tpl() { return DATA.templates.find(function (t) { return t.id === state.template; }) || DATA.templates[0]; }
  function locale() { return state.lang === 'zh' ? 'zh-CN' : 'en-US'; }
  function num(n, digits) {
    var d = digits || 0;
    return Number(n).toLocaleString(locale(), { minimumFractionDigits: d, maximumFractionDigits: d });
  }
  function money(n, compact) {
    var cur = tpl().currency;
    var o = { maximumFractionDigits: compact ? 1 : 0, minimumFractionDigits: 0 };
    if (compact) o.notation = 'compact';
    if (cur) { o.style = 'currency'; o.currency = cur; o.currencyDisplay = 'narrowSymbol'; }
    try { return new Intl.NumberFormat(locale(), o).format(n); } catch (e) { return num(n); }
  }
  function pct(rate) { return rate === null || rate === undefined ? '-' : num(rate * 100, 1) + '%'; }
  function days(d) { return d === null || d === undefined ? '-' : num(d, 1); }
  function stageName(key) {
    if (key === null) return T('openToWon');
    var s = tpl().stages.find(function (x) { return x.key === key; });
    return s ? tr(s.name) : key;
  }
  function reasonName(key) { return tr(tpl().lossReasonNames[key]) || key; }
  function rate1(r) { return Math.round(r * 1000) / 10; }

  // ---- what each chart shows, from the analytics results embedded at generation time ----
  function funnelData(t) {
    return {
      labels: t.funnel.rows.map(function (r) { return stageName(r.stage); }),
      datasets: [
        { label: T('amount'), data: t.funnel.rows.map(function (r) { return r.amount; }), backgroundColor: COLOR.blue, borderRadius: 4 },
        { label: T('weighted'), data: t.funnel.rows.map(function (r) { return r.weightedAmount; }), backgroundColor: COLOR.blueSoft, borderRadius: 4 },
      ],
    };
  }
  function forecastData(t) {
    var f = t.forecast;
    var keys = ['closedWon', 'commit', 'bestCase', 'pipeline', 'weighted', 'historical'];
    var sets = [{
      type: 'bar', label: T('amount'), data: keys.map(function (k) { return f[k]; }),
      backgroundColor: [COLOR.green, COLOR.blue, COLOR.teal, COLOR.slate, COLOR.amber, '#a78bfa'], borderRadius: 4, order: 2,
    }];
    if (f.target !== null) {
      sets.push({ type: 'line', label: T('target'), data: keys.map(function () { return f.target; }), borderColor: COLOR.rose, borderDash: [6, 4], borderWidth: 2, pointRadius: 0, fill: false, order: 1 });
    }
    return { labels: keys.map(function (k) { return T(k); }), datasets: sets };
  }
  function conversionData(t) {
    var open = t.stages.filter(function (s) { return s.outcome === null; });
    var won = t.stages.find(function (s) { return s.outcome === 'won'; }).key;
    var rows = t.conversion.rows;
    function rate(from, to) { var r = rows.find(function (x) { return x.from === from && x.to === to; }); return r ? rate1(r.rate) : 0; }
    return {
      labels: open.map(function (s) { return tr(s.name); }),
      datasets: [
        { label: T('toNext'), data: open.map(function (s, i) { return rate(s.key, open[i + 1] ? open[i + 1].key : won); }), backgroundColor: COLOR.blue, borderRadius: 4 },
        { label: T('toWon'), data: open.map(function (s) { return rate(s.key, won); }), backgroundColor: COLOR.green, borderRadius: 4 },
      ],
    };
  }
  function cycleData(t) {
    var rows = t.cycleTime.rows;
    return {
      labels: rows.map(function (r) { return stageName(r.stage); }),
      datasets: [
        { label: T('median'), data: rows.map(function (r) { return r.medianDays; }), backgroundColor: COLOR.teal, borderRadius: 4 },
        { label: T('p90'), data: rows.map(function (r) { return r.p90Days; }), backgroundColor: 'rgba(13, 148, 136, 0.3)', borderRadius: 4 },
      ],
    };
  }
  function lossData(t) {
    var rows = t.lossReasons.rows.filter(function (r) { return r.count > 0; });
    return {
      labels: rows.map(function (r) { return reasonName(r.reason); }),
      datasets: [{ label: T('lossCount'), data: rows.map(function (r) { return r.count; }), backgroundColor: rows.map(function (r, i) { return PALETTE[i % PALETTE.length]; }), borderWidth: 2, borderColor: '#fff' }],
    };
  }

  var moneyAxis = { ticks: { callback: function (v) { return money(v, true); } }, grid: { color: '#eef2f7' } };
  function baseOptions(extra) {
    var o = {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { position: 'bottom', labels: { boxWidth: 12, usePointStyle: true } }, tooltip: { callbacks: {} } },
      scales: {},
    };
    Object.keys(extra || {}).forEach(function (k) { o[k] = extra[k]; });
    return o;
  }
  var SPECS = {
    funnel: {
      type: 'bar', data: funnelData,
      options: function () {
        return baseOptions({
          indexAxis: 'y',
          plugins: {
            legend: { position: 'bottom', labels: { boxWidth: 12, usePointStyle: true } },
            tooltip: { callbacks: {
              label: function (c) { return c.dataset.label + ': ' + money(c.parsed.x); },
              afterBody: function (items) { var r = tpl().funnel.rows[items[0].dataIndex]; return T('dealsN', { n: num(r.count) }) + ' · ' + r.probability + '%'; },
            } },
          },
          scales: {
            x: moneyAxis,
            y: { grid: { display: false }, ticks: { callback: function (v, i) { var r = tpl().funnel.rows[i]; return this.getLabelForValue(v) + (r ? ' (' + num(r.count) + ')' : ''); } } },
          },
        });
      },
    },
    forecast: {
      type: 'bar', data: forecastData,
      options: function () {
        return baseOptions({
          plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (c) { return c.dataset.label + ': ' + money(c.parsed.y); } } } },
          scales: { y: moneyAxis, x: { grid: { display: false } } },
        });
      },
    },
    conversion: {
      type: 'bar', data: conversionData,
      options: function () {
        return baseOptions({
          plugins: { legend: { position: 'bottom', labels: { boxWidth: 12, usePointStyle: true } }, tooltip: { callbacks: { label: function (c) { return c.dataset.label + ': ' + num(c.parsed.y, 1) + '%'; } } } },
          scales: { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + '%'; } }, grid: { color: '#eef2f7' } }, x: { grid: { display: false } } },
        });
      },
    },
    cycle: {
      type: 'bar', data: cycleData,
      options: function () {
        return baseOptions({
          plugins: { legend: { position: 'bottom', labels: { boxWidth: 12, usePointStyle: true } }, tooltip: { callbacks: { label: function (c) { return c.dataset.label + ': ' + num(c.parsed.y, 1) + ' ' + T('days'); } } } },
          scales: { y: { beginAtZero: true, grid: { color: '#eef2f7' } }, x: { grid: { display: false } } },
        });
      },
    },
    loss: {
      type: 'doughnut', data: lossData,
      options: function () {
        return baseOptions({
          cutout: '58%',
          plugins: {
            legend: { position: 'right', labels: { boxWidth: 12, usePointStyle: true } },
            tooltip: { callbacks: { label: function (c) {
              var rows = tpl().lossReasons.rows.filter(function (r) { return r.count > 0; });
              var r = rows[c.dataIndex];
              return c.label + ': ' + num(r.count) + ' · ' + money(r.amount) + ' · ' + pct(tpl().lossReasons.total.count ? r.count / tpl().lossReasons.total.count : 0);
            } } },
          },
        });
      },
    },
  };

  function drawCharts() {
    var t = tpl();
    Object.keys(SPECS).forEach(function (name) {
      var spec = SPECS[name];
      var next = spec.data(t);
      var chart = charts[name];
      if (!chart) {
        charts[name] = new Chart($('chart-' + name), { type: spec.type, data: next, options: spec.options() });
        return;
      }
      // relabel in place: same chart objects, new labels, dataset labels and figures
      chart.data.labels = next.labels;
      if (chart.data.datasets.length !== next.datasets.length) chart.data.datasets = next.datasets;
      else next.datasets.forEach(function (d, i) { Object.keys(d).forEach(function (k) { chart.data.datasets[i][k] = d[k]; }); });
      chart.update();
    });
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function fillTable(table, headers, rows, footer) {
    table.textContent = '';
    var thead = el('thead');
    var hr = el('tr');
    headers.forEach(function (h) { hr.appendChild(el('th', h)); });
    thead.appendChild(hr);
    table.appendChild(thead);
    var tbody = el('tbody');
    rows.forEach(function (r) { var tr_ = el('tr'); r.forEach(function (c) { tr_.appendChild(el('td', c)); }); tbody.appendChild(tr_); });
    table.appendChild(tbody);
    if (footer) {
      var tfoot = el('tfoot');
      var fr = el('tr');
      footer.forEach(function (c) { fr.appendChild(el('td', c)); });
      tfoot.appendChild(fr);
      table.appendChild(tfoot);
    }
  }

  function drawKpis() {
    var t = tpl();
    var s = t.summary;
    var cycle = t.cycleTime.rows.find(function (r) { return r.stage === null; });
    var closed = s.won + s.lost;
    var kpis = [
      ['kpi-open', num(t.funnel.total.count), T('ofOpened', { n: num(s.opened) })],
      ['kpi-pipeline', money(t.funnel.total.amount), ''],
      ['kpi-weighted', money(t.funnel.total.weightedAmount), ''],
      ['kpi-won', money(t.forecast.closedWon), T('dealsN', { n: num(t.forecast.counts.closedWon) })],
      ['kpi-winrate', closed ? pct(s.won / closed) : '-', num(s.won) + ' / ' + num(closed)],
      ['kpi-cycle', cycle && cycle.count ? days(cycle.medianDays) + ' ' + T('days') : '-', ''],
    ];
    kpis.forEach(function (k) { $(k[0]).querySelector('.value').textContent = k[1]; $(k[0]).querySelector('.note').textContent = k[2]; });
    var f = t.forecast;
    $('fc-target').textContent = f.target === null ? T('noTarget') : money(f.target);
    $('fc-gap').textContent = f.gap === null ? '-' : money(f.gap);
    $('fc-gap').className = 'value ' + (f.gap === null ? '' : f.gap > 0 ? 'bad' : 'good');
    $('fc-attain').textContent = f.target ? pct((f.closedWon + f.commit) / f.target) : '-';
    var meter = f.target ? Math.min(100, ((f.closedWon + f.commit) / f.target) * 100) : 0;
    $('fc-meter').style.width = meter.toFixed(1) + '%';
    $('fc-meter-won').style.width = (f.target ? Math.min(100, (f.closedWon / f.target) * 100) : 0).toFixed(1) + '%';
  }

  function drawTables() {
    var t = tpl();
    fillTable($('bottlenecks'), [T('stage'), T('medianDwell'), T('sla'), T('dropOff'), T('score')], t.bottlenecks.rows.map(function (r) {
      return [stageName(r.stage), days(r.medianDwellDays), r.slaDays === null ? '-' : days(r.slaDays), pct(r.dropOffRate), num(r.score, 2)];
    }));
    var dims = t.dimensions;
    if (!dims.some(function (d) { return d.key === state.groupBy; })) state.groupBy = dims[0].key;
    var sel = $('groupby');
    sel.textContent = '';
    dims.forEach(function (d) { var o = el('option', tr(d.label)); o.value = d.key; sel.appendChild(o); });
    sel.value = state.groupBy;
    var label = tr(dims.find(function (d) { return d.key === state.groupBy; }).label);
    var rows = t.drill[state.groupBy] || [];
    var sum = function (k) { return rows.reduce(function (s, r) { return s + r[k]; }, 0); };
    var won = sum('won');
    var lost = sum('lost');
    fillTable($('drill'), [label, T('open'), T('openAmount'), T('weighted'), T('won'), T('lost'), T('winRate'), T('closedWon'), T('commit'), T('cycle')], rows.map(function (r) {
      return [r.group === null ? T('none') : r.group, num(r.open), money(r.openAmount), money(r.weighted), num(r.won), num(r.lost), pct(r.winRate), money(r.closedWon), money(r.commit), days(r.medianCycleDays)];
    }), [T('total'), num(sum('open')), money(sum('openAmount')), money(sum('weighted')), num(won), num(lost), won + lost ? pct(won / (won + lost)) : '-', money(sum('closedWon')), money(sum('commit')), '']);
  }

  function drawTexts() {
    var t = tpl();
    document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
    document.title = T('title') + ' · ' + tr(t.name) + ' · winpath';
    Array.prototype.forEach.call(document.querySelectorAll('[data-t]'), function (e) { e.textContent = T(e.getAttribute('data-t')); });
    $('template-name').textContent = tr(t.name);
    $('period').textContent = DATA.period + ' (' + t.forecast.period.from + ' – ' + t.forecast.period.to + ')';
    $('as-of').textContent = DATA.asOf ? new Date(DATA.asOf).toLocaleString(locale(), { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' }) + ' UTC' : '-';
    $('footer').textContent = T('footer', { source: DATA.source || 'a winpath store' });
    var sel = $('template');
    sel.textContent = '';
    DATA.templates.forEach(function (x) { var o = el('option', tr(x.name) + ' (' + num(x.summary.opened) + ')'); o.value = x.id; sel.appendChild(o); });
    sel.value = state.template;
    $('template-picker').hidden = DATA.templates.length < 2;
    ['zh', 'en'].forEach(function (l) { $('lang-' + l).setAttribute('aria-pressed', String(state.lang === l)); });
  }

  function render() {
    drawTexts();
    drawKpis();
    drawTables();
    drawCharts();
  }

  $('template').addEventListener('change', function (e) { state.template = e.target.value; render(); });
  $('groupby').addEventListener('change', function (e) { state.groupBy = e.target.value; drawTables(); });
  $('lang-zh').addEventListener('click', function () { state.lang = 'zh'; render(); });
  $('lang-en').addEventListener('click', function () { state.lang = 'en'; render(); });
  if (typeof Chart !== 'undefined') {
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = '#475569';
  }
  render();
  window.winpathDashboard = { data: DATA, state: state, charts: charts };
})();
`;
