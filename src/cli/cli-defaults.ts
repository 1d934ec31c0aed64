/** Defaults the command line shows in its help, kept apart so that building the program loads nothing heavy. */

/** The fixed start: 91 days from here end mid-way through 2026-Q3 (a forecast call with the quarter still open); fixed, so a seed always gives the same deals. */
export const DEFAULT_START = '2026-05-18T01:00:00Z';

export const DEMO_DEFAULTS = { db: 'winpath-demo.db', html: 'winpath-dashboard.html', seed: 2026, deals: 300, days: 91, start: DEFAULT_START };

/** `2026-Q3`, `2026-09`, `2026` or `2026-07-01..2026-09-30`. */
export const PERIOD = /^(\d{4}-Q[1-4]|\d{4}-(0[1-9]|1[0-2])|\d{4}|\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2})$/;
