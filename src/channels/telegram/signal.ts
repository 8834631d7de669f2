// grammY and @grammyjs/runner type their AbortSignal parameters with the `abort-controller`
// polyfill's type, which the DOM/Node AbortSignal does not satisfy structurally. At runtime they
// only call add/removeEventListener and read `aborted`, which every AbortSignal has.
type GrammySignal = Parameters<import('grammy').Api['getMe']>[0];

export const grammySignal = (signal: AbortSignal): GrammySignal => signal as unknown as GrammySignal;
