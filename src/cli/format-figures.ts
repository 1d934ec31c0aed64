/** Numbers for people: thousands separators, money in whole units, rates as percentages. */
import type { Lang } from './cli-text.js';

const locale = (lang: Lang) => (lang === 'zh' ? 'zh-CN' : 'en-US');

export function formatNumber(n: number, lang: Lang, digits = 0): string {
  return n.toLocaleString(locale(lang), { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Money in whole major units (the column header names the currency). */
export function formatAmount(n: number, lang: Lang): string {
  return formatNumber(Math.round(n), lang);
}

/** Money with its currency symbol: ¥1,234,567 / CN¥1,234,567. */
export function formatMoney(n: number, currency: string | undefined, lang: Lang): string {
  if (!currency) return formatAmount(n, lang);
  try {
    return new Intl.NumberFormat(locale(lang), { style: 'currency', currency, maximumFractionDigits: 0, minimumFractionDigits: 0 }).format(n);
  } catch {
    return `${formatAmount(n, lang)} ${currency}`;
  }
}

/** 0.4567 -> 45.7% */
export function formatRate(rate: number, lang: Lang): string {
  return `${formatNumber(rate * 100, lang, 1)}%`;
}

export function formatDays(days: number, lang: Lang): string {
  return formatNumber(days, lang, 1);
}
