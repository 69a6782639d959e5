import { constants as bufferConstants } from 'node:buffer';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { type Dtype, type StoredTensor, DTYPES, typedFromBytes } from './dtypes.js';
import { FormatError } from './errors.js';

/** IDX type codes (the third magic byte). All data is big-endian. */
const IDX_TYPES: ReadonlyMap<number, Dtype> = new Map([
  [0x08, 'U8'],
  [0x09, 'I8'],
  [0x0b, 'I16'],
  [0x0c, 'I32'],
  [0x0d, 'F32'],
  [0x0e, 'F64'],
]);

/** Deflate cannot expand data by more than about 1032:1; a header claiming more is lying. */
const MAX_DEFLATE_RATIO = 1032;

/**
 * Collects an IDX stream chunk by chunk: once the header is in, it knows the exact total size,
 * checks it against `maxTotal`, allocates once, and refuses any byte beyond it. This keeps a
 * hostile gzip file from inflating into unbounded memory.
 */
class IdxCollector {
  private head = new Uint8Array(0);
  private body: Uint8Array | null = null;
  private filled = 0;
  private dtype: Dtype = 'U8';
  private shape: number[] = [];
  private bodyStart = 0;

  constructor(
    private readonly file: string,
    private readonly maxTotal: number,
  ) {}

  push(chunk: Uint8Array): void {
    if (this.body === null) {
      const merged = new Uint8Array(this.head.length + chunk.length);
      merged.set(this.head);
      merged.set(chunk, this.head.length);
      this.head = merged;
      if (!this.tryHeader()) return;
      chunk = this.head.subarray(this.bodyStart);
      this.head = new Uint8Array(0);
    }
    const body = this.body!;
    if (this.filled + chunk.length > body.length) {
      throw new FormatError(this.file, `data continues past the ${body.length} bytes that shape [${this.shape.join(', ')}] needs`, this.bodyStart + body.length);
    }
    body.set(chunk, this.filled);
    this.filled += chunk.length;
  }

  private tryHeader(): boolean {
    const h = this.head;
    if (h.length < 4) return false;
    if (h[0] !== 0 || h[1] !== 0) throw new FormatError(this.file, `not an IDX file: magic must start with two zero bytes, found ${h[0]}, ${h[1]}`, 0);
    const dtype = IDX_TYPES.get(h[2]!);
    if (dtype === undefined) {
      throw new FormatError(this.file, `unknown IDX type code 0x${h[2]!.toString(16).padStart(2, '0')}; expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e`, 2);
    }
    const ndim = h[3]!;
    if (h.length < 4 + 4 * ndim) return false;
    const view = new DataView(h.buffer, h.byteOffset, h.byteLength);
    const shape: number[] = [];
    for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
    const size = DTYPES[dtype].size;
    let bytes = shape.includes(0) ? 0 : size;
    for (const d of shape) bytes = Math.min(bytes * d, Number.MAX_SAFE_INTEGER);
    const limit = this.maxTotal - 4 - 4 * ndim;
    if (bytes > limit) {
      throw new FormatError(this.file, `shape [${shape.join(', ')}] of ${dtype} needs ${bytes} bytes, more than this file can hold (${Math.max(0, limit)})`, 4);
    }
    this.dtype = dtype;
    this.shape = shape;
    this.bodyStart = 4 + 4 * ndim;
    this.body = new Uint8Array(bytes);
    return true;
  }

  finish(): StoredTensor {
    if (this.body === null) throw new FormatError(this.file, 'file ends inside the IDX header', this.head.length);
    if (this.filled !== this.body.length) {
      throw new FormatError(this.file, `file is truncated: shape [${this.shape.join(', ')}] needs ${this.body.length} data bytes, found ${this.filled}`, this.bodyStart + this.filled);
    }
    return { dtype: this.dtype, shape: this.shape, data: typedFromBytes(this.dtype, this.body, false) } as StoredTensor;
  }
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

async function collect(source: AsyncIterable<Uint8Array>, collector: IdxCollector): Promise<StoredTensor> {
  for await (const chunk of source) collector.push(chunk);
  return collector.finish();
}

async function gunzipInto(source: Readable, compressedSize: number, file: string): Promise<StoredTensor> {
  const maxTotal = Math.min(compressedSize * MAX_DEFLATE_RATIO + 1024, bufferConstants.MAX_LENGTH);
  const gunzip = createGunzip();
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  try {
    return await collect(gunzip, new IdxCollector(file, maxTotal));
  } catch (err) {
    if (err instanceof FormatError) throw err;
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('Z_')) throw new FormatError(file, `corrupt gzip data (${(err as Error).message})`);
    throw err;
  } finally {
    gunzip.destroy();
    source.destroy();
  }
}

/**
 * Parses IDX bytes held in memory, plain or gzip-compressed (detected by the 1f 8b magic).
 * Returns native-order data of the file's dtype.
 */
export async function parseIdx(bytes: Uint8Array, name = '<memory>'): Promise<StoredTensor> {
  if (isGzip(bytes)) return gunzipInto(Readable.from([bytes]), bytes.length, name);
  const collector = new IdxCollector(name, bytes.length);
  collector.push(bytes);
  return collector.finish();
}

/** Reads an IDX file (MNIST format), plain or gzip-compressed, streaming the decompression. */
export async function readIdx(path: string): Promise<StoredTensor> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const magic = new Uint8Array(2);
    await fh.read(magic, 0, 2, 0);
    if (isGzip(magic)) return await gunzipInto(fh.createReadStream({ start: 0, autoClose: false }), size, path);
    const bytes = new Uint8Array(size);
    await fh.read(bytes, 0, size, 0);
    return await parseIdx(bytes, path);
  } finally {
    await fh.close();
  }
}
