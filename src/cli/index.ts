// cli: the `winpath` command, terminal tables, the HTML dashboard.
// May import: the public entry (../index.js) only.
export { runCli, createProgram } from './run-cli.js';
export type { CliIo, OutStream } from './cli-io.js';
export { renderTable, displayWidth, type TableColumn, type TableOptions } from './render-table.js';
export { collectDashboard, type DashboardData, type DashboardTemplate, type DrillRow, type CollectDashboardOptions } from './dashboard/collect-dashboard.js';
export { renderDashboard, chartJsSource } from './dashboard/render-dashboard.js';
export { collectReport, summarizeTemplates, type Report, type TemplateSummary } from './collect-report.js';
