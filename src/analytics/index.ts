// analytics: funnel, conversion, cycle time, loss reasons, forecast, bottlenecks.
// May import: model, the store's query port, errors.
export * from './create-analytics.js';
