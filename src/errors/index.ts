// errors: WinpathError, the code table and message formatting.
// May import: nothing of ours.
export * from './winpath-error.js';
