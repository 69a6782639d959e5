// The part of the WebAssembly JavaScript API the wasm backend uses. TypeScript ships these types only
// with the DOM libraries, which this Node-and-browser core does not load; Node and browsers provide
// the objects at run time.
declare namespace WebAssembly {
  type ImportValue = Memory | ((...args: never[]) => unknown);
  type Imports = Record<string, Record<string, ImportValue>>;
  type ExportValue = Memory | ((...args: number[]) => unknown);
  type Exports = Record<string, ExportValue>;
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
    grow(pages: number): number;
  }
  class Module {
    constructor(bytes: Uint8Array);
    static exports(module: Module): { name: string; kind: string }[];
    static imports(module: Module): { module: string; name: string; kind: string }[];
  }
  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Exports;
  }
  function validate(bytes: Uint8Array): boolean;
}
