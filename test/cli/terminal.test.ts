import { describe, expect, it } from 'vitest';
import { displayWidth, renderTable } from '../../src/cli/index.js';
import { createProgressBar, createStyle, type OutStream } from '../../src/cli/cli-io.js';
import { langFromEnv } from '../../src/cli/cli-text.js';

function stream(isTTY: boolean): OutStream & { text: string } {
  const s = { text: '', isTTY, columns: 80, write(chunk: string) { s.text += chunk; return true; } };
  return s;
}

describe('renderTable', () => {
  it('counts CJK characters as two columns, colour codes as none', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('初步接触')).toBe(8);
    expect(displayWidth('ＡＢ')).toBe(4);
    expect(displayWidth('\u001b[1m赢单\u001b[22m')).toBe(4);
    expect(displayWidth('e\u0301')).toBe(1);
  });

  it('aligns mixed Chinese and Latin cells, numbers to the right', () => {
    const out = renderTable([{ header: '阶段' }, { header: 'Deals', align: 'right' }], [['初步接触', '28'], ['Proposal', '5']], { footer: [['合计', '33']] });
    expect(out).toBe([
      '阶段      Deals',
      '--------  -----',
      '初步接触     28',
      'Proposal      5',
      '--------  -----',
      '合计         33',
      '',
    ].join('\n'));
  });
});

describe('terminal behaviour', () => {
  it('colours only a TTY, and never with NO_COLOR', () => {
    expect(createStyle(stream(true), {}).bold('x')).toBe('\u001b[1mx\u001b[22m');
    expect(createStyle(stream(false), {}).bold('x')).toBe('x');
    expect(createStyle(stream(true), { NO_COLOR: '1' }).bold('x')).toBe('x');
  });

  it('draws the progress bar in place on a TTY and prints nothing elsewhere', () => {
    const tty = stream(true);
    const bar = createProgressBar(tty, {});
    bar.update(1, 4, 'b2b-standard');
    bar.update(1, 4, 'b2b-standard');
    bar.update(4, 4, 'b2b-standard');
    bar.done();
    expect(tty.text.match(/\r/g)).toHaveLength(3);
    expect(tty.text).toContain(' 25% b2b-standard');
    expect(tty.text).toContain('100% b2b-standard');
    const pipe = stream(false);
    const quiet = createProgressBar(pipe, {});
    quiet.update(1, 2, 'x');
    quiet.done();
    expect(pipe.text).toBe('');
  });

  it('takes the language from the locale', () => {
    expect(langFromEnv({ LANG: 'zh_CN.UTF-8' })).toBe('zh');
    expect(langFromEnv({ LC_ALL: 'zh_TW.UTF-8', LANG: 'en_US.UTF-8' })).toBe('zh');
    expect(langFromEnv({ LC_ALL: 'en_US.UTF-8', LANG: 'zh_CN.UTF-8' })).toBe('en');
    expect(langFromEnv({})).toBe('en');
  });
});
