// The engines that may run in a child process (./engine-process.ts), by name. Each module
// exports `createEngine(options)`, which returns (or resolves to) the function that answers
// one request, synchronously or with a promise. The child loads only modules from this table.
export type EngineFunction = (request: unknown) => unknown;

export interface EngineModule {
  createEngine(options: unknown): EngineFunction | Promise<EngineFunction>;
}

export const ENGINES = {
  'mrz-reader': () => import('../document/mrz-reader/engine.js') as Promise<EngineModule>,
  face: () => import('../face/engine.js') as Promise<EngineModule>,
} as const;

export type EngineName = keyof typeof ENGINES;

export const isEngineName = (s: string | undefined): s is EngineName => s !== undefined && Object.hasOwn(ENGINES, s);
