/**
 * The wasm backend's linear memory: one shared `WebAssembly.Memory` every thread's instance imports,
 * and a first-fit allocator over it kept in JavaScript (the kernels never allocate). Blocks are
 * 64-byte aligned, so panels and strips sit on cache lines; freed blocks merge with free neighbours.
 * The first 64 KiB are reserved (address 0 means "none" to the kernels, and the 2:4 swizzle table
 * lives there).
 */
import { BackendError } from '../../errors.js';

const PAGE = 65536;
const ALIGN = 64;
/** 4 GiB, the most a 32-bit wasm memory can address. */
const MAX_PAGES = 65536;
export const RESERVED_BYTES = PAGE;

/** Blocks that live for one kernel call (see `WasmHeap.scoped`). */
export interface Scratch {
  alloc(bytes: number): number;
  /** Copies `data` into a new scratch block. */
  put(data: Float32Array): number;
}

interface Block {
  ptr: number;
  size: number;
  free: boolean;
}

export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  /** Blocks in address order, covering [RESERVED_BYTES, memory size). */
  readonly #blocks: Block[] = [];

  constructor(shared: boolean, initialPages = 256) {
    this.shared = shared;
    try {
      this.memory = new WebAssembly.Memory({ initial: initialPages, maximum: MAX_PAGES, shared });
    } catch (e) {
      throw new BackendError(
        `wasm backend: cannot create a ${shared ? 'shared ' : ''}WebAssembly.Memory (${(e as Error).message})`,
      );
    }
    this.#blocks.push({ ptr: RESERVED_BYTES, size: initialPages * PAGE - RESERVED_BYTES, free: true });
  }

  /** Bytes of linear memory now. */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /** Bytes held by live blocks. */
  get bytesInUse(): number {
    return this.#blocks.reduce((s, b) => s + (b.free ? 0 : b.size), 0);
  }

  /** A block of at least `bytes` bytes (64-byte aligned); grows the memory when none is free. */
  alloc(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    let i = this.#blocks.findIndex((b) => b.free && b.size >= size);
    if (i < 0) i = this.#grow(size);
    const b = this.#blocks[i]!;
    if (b.size > size) this.#blocks.splice(i + 1, 0, { ptr: b.ptr + size, size: b.size - size, free: true });
    b.size = size;
    b.free = false;
    return b.ptr;
  }

  free(ptr: number): void {
    const i = this.#blocks.findIndex((b) => b.ptr === ptr);
    const b = this.#blocks[i];
    if (b === undefined || b.free) throw new BackendError(`wasm heap: free of ${ptr}, which is not an allocated block`);
    b.free = true;
    const next = this.#blocks[i + 1];
    if (next?.free) {
      b.size += next.size;
      this.#blocks.splice(i + 1, 1);
    }
    const prev = this.#blocks[i - 1];
    if (prev?.free) {
      prev.size += b.size;
      this.#blocks.splice(i, 1);
    }
  }

  #grow(size: number): number {
    const last = this.#blocks[this.#blocks.length - 1];
    const tailFree = last?.free === true ? last.size : 0;
    const pagesNow = this.byteLength / PAGE;
    // Grow by at least a quarter of the current size, so repeated growth stays amortised.
    const need = Math.ceil((size - tailFree) / PAGE);
    const pages = Math.min(MAX_PAGES - pagesNow, Math.max(need, Math.ceil(pagesNow / 4)));
    if (pages < need) {
      throw new BackendError(
        `wasm backend: out of memory: a block of ${size} bytes does not fit in the 4 GiB a wasm memory can address (${this.bytesInUse} bytes in use)`,
      );
    }
    this.memory.grow(pages);
    if (last?.free === true) last.size += pages * PAGE;
    else this.#blocks.push({ ptr: pagesNow * PAGE, size: pages * PAGE, free: true });
    return this.#blocks.length - 1;
  }

  /** A float32 view of `length` values at `ptr` (valid until the memory grows). */
  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }

  u32(ptr: number, length: number): Uint32Array {
    return new Uint32Array(this.memory.buffer, ptr, length);
  }

  u16(ptr: number, length: number): Uint16Array {
    return new Uint16Array(this.memory.buffer, ptr, length);
  }

  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, length);
  }

  u8(ptr: number, length: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, ptr, length);
  }

  /** Copies `data` into a new block and returns its address. */
  put(data: Float32Array): number {
    const ptr = this.alloc(data.length * 4);
    this.f32(ptr, data.length).set(data);
    return ptr;
  }

  /** Runs `fn` with a scratch allocator whose blocks are all freed when `fn` returns or throws. */
  scoped<T>(fn: (s: Scratch) => T): T {
    const blocks: number[] = [];
    const scratch: Scratch = {
      alloc: (bytes) => {
        const p = this.alloc(bytes);
        blocks.push(p);
        return p;
      },
      put: (data) => {
        const p = this.put(data);
        blocks.push(p);
        return p;
      },
    };
    try {
      return fn(scratch);
    } finally {
      for (const p of blocks) this.free(p);
    }
  }

  /** A fresh (non-shared) copy of `length` floats at `ptr`. */
  take(ptr: number, length: number): Float32Array {
    return this.f32(ptr, length).slice();
  }
}
