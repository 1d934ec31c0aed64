/** createWorker: ticks timers and dispatches the outbox on an interval, and stops cleanly. */
import { WinpathError } from '../errors/index.js';
import type { DispatchHandler, DispatchOptions, Engine } from './create-engine.js';

export interface WorkerOptions {
  engine: Engine;
  /** Milliseconds between the end of one round and the start of the next. */
  every: number;
  /** Delivers outbox messages each round; without it the worker only ticks. */
  handler?: DispatchHandler;
  dispatch?: DispatchOptions;
  /** Hears errors of a round (the worker keeps going). */
  onError?: (error: unknown) => void;
  /** Hears each round's result. */
  onRound?: (round: { fired: number; delivered: number; failed: number; dead: number }) => void;
}

export interface Worker {
  /** Stops after the round in progress, if any; resolves when nothing runs any more. */
  stop(): Promise<void>;
}

/**
 * @example const worker = createWorker({ engine, every: 5_000, handler: webhookHandler({ url, secret }) }); ... await worker.stop();
 */
export function createWorker(opts: WorkerOptions): Worker {
  if (!opts?.engine || !(opts.every > 0)) throw new WinpathError('INPUT_INVALID', 'createWorker needs { engine, every } with every > 0 (milliseconds)');
  let stopped = false;
  let wake: (() => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pause = () =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, opts.every);
    });
  const loop = (async () => {
    while (!stopped) {
      try {
        const fired = await opts.engine.tick();
        const sent = opts.handler ? await opts.engine.dispatch(opts.handler, opts.dispatch) : { delivered: 0, failed: 0, dead: 0 };
        opts.onRound?.({ fired: fired.length, ...sent });
      } catch (e) {
        opts.onError?.(e);
      }
      if (!stopped) await pause();
    }
  })();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}
