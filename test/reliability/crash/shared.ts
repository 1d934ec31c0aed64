/** What the crash driver and its child share: the child's config, the people, the clock's stride. */
export interface CrashChildConfig {
  db: string;
  journal: string;
  seed: number;
  round: number;
  /** The engine clock's start; it moves 0-20 minutes per command and never past `startAt` + 59 days. */
  startAt: string;
  /** 'split' is the negative control: a command's outbox messages commit in a second transaction. */
  mode: 'one-transaction' | 'split';
  /** The folder holding gated.yaml and timed.yaml. */
  templates: string;
}

export const PEOPLE: Record<string, string[]> = {
  sales_director: ['dora'], finance: ['fay'], legal: ['lee'], engineer: ['eve'], ceo: ['carl'],
};

/** Each round's clock starts this far after the previous round's, so leases and backoffs of a killed child have run out. */
export const ROUND_SPAN_MS = 60 * 86_400_000;
