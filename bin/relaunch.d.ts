// Types of bin/relaunch.js, for the tests and benches written in TypeScript.
export declare const GC_FLAG: "--single-threaded-gc";
export declare function wantsRelaunch(argv: string[], execArgv?: string[], env?: NodeJS.ProcessEnv): boolean;
export declare function relaunch(argv: string[]): Promise<number>;
export declare function watchParent(): void;
