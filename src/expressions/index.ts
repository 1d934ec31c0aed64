// expressions: FEEL (feelin): compile once, evaluate with limits, list free variables.
// May import: model, errors.
export * from './types.js';
export { compileExpression, compileFeel, FeelExpression } from './compile.js';
export { checkGuard } from './guard.js';
export { assertFeelDateTime, feelDate, feelDateTime, feelToday, isFeelTemporal, type FeelTemporalValue } from './temporal.js';
export { describeFeelValue } from './describe.js';
export { EXPRESSION_LIMITS } from './limits.js';
export { ALLOWED_FUNCTIONS, REGEX_FUNCTIONS } from './analyze.js';
export { BUILTIN_VARIABLES, STATUS_MAPS, definitionScope } from './definition-scope.js';
