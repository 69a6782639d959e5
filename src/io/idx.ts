import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { type Dtype, type StoredTensor, DTYPES, typedFromBytes, typedInPlace } from './dtypes.js';
import { shapeText } from './clip.js';
import { FormatError } from './errors.js';
import { type ReadLimits, maxBytesOf, withRegularFile } from './file_read.js';

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
/** The longest header: magic plus 255 dimensions. */
const MAX_HEADER_BYTES = 4 + 4 * 255;

interface IdxHeader {
  readonly dtype: Dtype;
  readonly shape: number[];
  /** Magic plus dimensions: where the data starts. */
  readonly headerBytes: number;
  /** What the shape needs (saturating at 2^53, so a hostile shape cannot wrap around). */
  readonly dataBytes: number;
}

/** The header at the start of `head`, or null when `head` ends before it does. */
function readHeader(head: Uint8Array, file: string): IdxHeader | null {
  if (head.length < 4) return null;
  if (head[0] !== 0 || head[1] !== 0)
    throw new FormatError(
      file,
      `not an IDX file: magic must start with two zero bytes, found ${head[0]}, ${head[1]}`,
      0,
    );
  const dtype = IDX_TYPES.get(head[2]!);
  if (dtype === undefined) {
    throw new FormatError(
      file,
      `unknown IDX type code 0x${head[2]!.toString(16).padStart(2, '0')}; expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e`,
      2,
    );
  }
  const ndim = head[3]!;
  const headerBytes = 4 + 4 * ndim;
  if (head.length < headerBytes) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
  let dataBytes = shape.includes(0) ? 0 : DTYPES[dtype].size;
  for (const d of shape) dataBytes = Math.min(dataBytes * d, Number.MAX_SAFE_INTEGER);
  return { dtype, shape, headerBytes, dataBytes };
}

function tooBig(file: string, h: IdxHeader, limit: string): FormatError {
  return new FormatError(
    file,
    `shape ${shapeText(h.shape)} of ${h.dtype} needs ${h.dataBytes} bytes, more than ${limit}`,
    4,
  );
}

/** Checks a plain file's data size against what its header claims. */
function checkPlainSize(file: string, h: IdxHeader, available: number): void {
  if (h.dataBytes > available) throw tooBig(file, h, `this file can hold (${Math.max(0, available)})`);
  if (h.dataBytes < available) {
    throw new FormatError(
      file,
      `data continues past the ${h.dataBytes} bytes that shape ${shapeText(h.shape)} needs`,
      h.headerBytes + h.dataBytes,
    );
  }
}

function headerEnds(file: string, at: number): FormatError {
  return new FormatError(file, 'file ends inside the IDX header', at);
}

/**
 * Collects a decompressed IDX stream chunk by chunk. The header's claim is checked against the
 * most the compressed file could inflate to and against `maxBytes`; the data buffer then grows
 * with what really arrives (never past the claim), so a small file claiming a huge shape costs
 * only what it inflates to. The final buffer is exactly the data and becomes the tensor's storage.
 */
class GzipIdxCollector {
  private head = new Uint8Array(0);
  private header: IdxHeader | null = null;
  private body: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  private filled = 0;

  constructor(
    private readonly file: string,
    private readonly compressedSize: number,
    private readonly maxBytes: number,
  ) {}

  push(chunk: Uint8Array): void {
    if (this.header === null) {
      const merged = new Uint8Array(this.head.length + chunk.length);
      merged.set(this.head);
      merged.set(chunk, this.head.length);
      this.head = merged;
      const h = readHeader(this.head, this.file);
      if (h === null) return;
      this.start(h);
      chunk = this.head.subarray(h.headerBytes);
      this.head = new Uint8Array(0);
    }
    const h = this.header!;
    if (this.filled + chunk.length > h.dataBytes) {
      throw new FormatError(
        this.file,
        `data continues past the ${h.dataBytes} bytes that shape ${shapeText(h.shape)} needs`,
        h.headerBytes + h.dataBytes,
      );
    }
    this.reserve(this.filled + chunk.length);
    this.body.set(chunk, this.filled);
    this.filled += chunk.length;
  }

  private start(h: IdxHeader): void {
    const inflatable = this.compressedSize * MAX_DEFLATE_RATIO + 1024 - h.headerBytes;
    if (h.dataBytes > inflatable) {
      throw tooBig(
        this.file,
        h,
        `this file can hold (deflate expands at most ${MAX_DEFLATE_RATIO}:1, so ${this.compressedSize} compressed bytes hold at most ${Math.max(0, inflatable)})`,
      );
    }
    if (h.headerBytes + h.dataBytes > this.maxBytes)
      throw tooBig(this.file, h, `the ${this.maxBytes}-byte limit for decompressed data (maxBytes)`);
    this.header = h;
    this.body = new Uint8Array(Math.min(h.dataBytes, Math.max(1 << 20, 16 * this.compressedSize)));
  }

  private reserve(n: number): void {
    if (n <= this.body.length) return;
    const grown = new Uint8Array(Math.min(this.header!.dataBytes, Math.max(n, 2 * this.body.length)));
    grown.set(this.body.subarray(0, this.filled));
    this.body = grown;
  }

  finish(): StoredTensor {
    const h = this.header;
    if (h === null) throw headerEnds(this.file, this.head.length);
    if (this.filled !== h.dataBytes) {
      throw new FormatError(
        this.file,
        `file is truncated: shape ${shapeText(h.shape)} needs ${h.dataBytes} data bytes, found ${this.filled}`,
        h.headerBytes + this.filled,
      );
    }
    // reserve() never grows past dataBytes, so the buffer is exactly the data.
    return { dtype: h.dtype, shape: h.shape, data: typedInPlace(h.dtype, this.body.buffer, false) } as StoredTensor;
  }
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

async function gunzipInto(
  source: Readable,
  compressedSize: number,
  file: string,
  maxBytes: number,
): Promise<StoredTensor> {
  const gunzip = createGunzip();
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  const collector = new GzipIdxCollector(file, compressedSize, maxBytes);
  try {
    for await (const chunk of gunzip) collector.push(chunk as Uint8Array);
    return collector.finish();
  } catch (err) {
    if (err instanceof FormatError) throw err;
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('Z_'))
      throw new FormatError(file, `corrupt gzip data (${(err as Error).message})`);
    throw err;
  } finally {
    gunzip.destroy();
    source.destroy();
  }
}

/**
 * Parses IDX bytes held in memory, plain or gzip-compressed (detected by the 1f 8b magic).
 * Returns native-order data of the file's dtype. `maxBytes` caps the decompressed size.
 */
export async function parseIdx(bytes: Uint8Array, name = '<memory>', limits?: ReadLimits): Promise<StoredTensor> {
  const maxBytes = maxBytesOf(limits);
  if (isGzip(bytes)) return gunzipInto(Readable.from([bytes]), bytes.length, name, maxBytes);
  const h = readHeader(bytes, name);
  if (h === null) throw headerEnds(name, bytes.length);
  checkPlainSize(name, h, bytes.length - h.headerBytes);
  return {
    dtype: h.dtype,
    shape: h.shape,
    data: typedFromBytes(h.dtype, bytes.subarray(h.headerBytes), false),
  } as StoredTensor;
}

/**
 * Reads an IDX file (MNIST format), plain or gzip-compressed, as a regular file of at most
 * `maxBytes` (see `readRegularFile`). Plain data is read straight into the tensor's storage;
 * gzip is inflated as a stream, at most to `maxBytes`.
 */
export async function readIdx(path: string, limits?: ReadLimits): Promise<StoredTensor> {
  const maxBytes = maxBytesOf(limits);
  return withRegularFile(path, limits, async (f) => {
    const head = new Uint8Array(Math.min(f.size, MAX_HEADER_BYTES));
    await f.readInto(head, 0);
    if (isGzip(head)) return gunzipInto(f.stream(), f.size, path, maxBytes);
    const h = readHeader(head, path);
    if (h === null) throw headerEnds(path, head.length);
    checkPlainSize(path, h, f.size - h.headerBytes);
    const body = new Uint8Array(h.dataBytes);
    await f.readInto(body, h.headerBytes);
    return { dtype: h.dtype, shape: h.shape, data: typedInPlace(h.dtype, body.buffer, false) } as StoredTensor;
  });
}
