// The engines that may run in a child process (./engine-process.ts), by name. Each module
// exports `createEngine(options)`, which returns the function that answers one request. The
// child loads only modules from this table.
export interface EngineModule {
  createEngine(options: unknown): (request: unknown) => unknown;
}

export const ENGINES = {
  'mrz-reader': () => import('../document/mrz-reader/engine.js') as Promise<EngineModule>,
} as const;

export type EngineName = keyof typeof ENGINES;

export const isEngineName = (s: string | undefined): s is EngineName => s !== undefined && Object.hasOwn(ENGINES, s);
