import { describe, expect, it } from 'vitest';
import type { OpportunityEvent } from '../../src/model/index.js';
import { outcomeMoves, type Commit } from '../../src/storage/port.js';

const ev = (type: string, data: Record<string, unknown> = {}): OpportunityEvent =>
  ({ id: `d:${type}`, opportunityId: 'd', seq: 1, type, at: '2026-01-01T00:00:00.000Z', actor: 'sam', data }) as OpportunityEvent;
const commit = (status: string, events: OpportunityEvent[]): Commit =>
  ({ opportunityId: 'd', expectedVersion: 5, events, outbox: [], timers: [], state: { opportunity: { status } } }) as unknown as Commit;

describe('outcomeMoves: how a commit moves its deal in the forecast counters', () => {
  it('leaves nothing to do for commits that neither win, lose nor reopen', () => {
    expect(outcomeMoves(commit('open', [ev('task.completed'), ev('stage.entered', { entry: 3 })]), 'open')).toEqual({ leave: null, join: null });
    expect(outcomeMoves(commit('lost', [ev('note.added')]), 'lost')).toEqual({ leave: null, join: null });
  });

  it('takes a deal in when it is won or lost, out when a lost deal is reopened', () => {
    expect(outcomeMoves(commit('won', [ev('stage.entered', { entry: 4 }), ev('opportunity.won')]), 'open')).toEqual({ leave: null, join: { won: 1 } });
    expect(outcomeMoves(commit('lost', [ev('opportunity.lost'), ev('stage.entered', { entry: 4 })]), 'open')).toEqual({ leave: null, join: { won: 0 } });
    expect(outcomeMoves(commit('open', [ev('opportunity.reopened'), ev('stage.entered', { entry: 5 })]), 'lost'))
      .toEqual({ leave: { won: 0, beforeEntry: 5 }, join: null });
  });

  it('follows the status before and after, not the order of events, when one commit reopens and closes again', () => {
    // out as the lost deal it was (the stays before this commit's first entry), in as the won deal it ends as
    expect(outcomeMoves(commit('won', [ev('opportunity.reopened'), ev('stage.entered', { entry: 5 }), ev('stage.entered', { entry: 6 }), ev('opportunity.won')]), 'lost'))
      .toEqual({ leave: { won: 0, beforeEntry: 5 }, join: { won: 1 } });
    // a won deal taken back out counts out of "won" too
    expect(outcomeMoves(commit('open', [ev('opportunity.reopened')]), 'won')).toEqual({ leave: { won: 1, beforeEntry: Number.MAX_SAFE_INTEGER }, join: null });
  });
});
