import fc from 'fast-check';
import type { Dtype, StoredTensor } from '../../src/io/index.js';

export const ALL_DTYPES: readonly Dtype[] = ['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL'];

/** Random StoredTensors of any dtype with arbitrary bit patterns (NaN payloads included). */
export function arbStored(dtypes: readonly Dtype[] = ALL_DTYPES): fc.Arbitrary<StoredTensor> {
  return fc
    .tuple(fc.constantFrom(...dtypes), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }))
    .chain(([dtype, shape]) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const size =
        dtype === 'F64' || dtype === 'I64'
          ? 8
          : dtype === 'F32' || dtype === 'I32'
            ? 4
            : dtype === 'F16' || dtype === 'BF16' || dtype === 'I16'
              ? 2
              : 1;
      const byte = dtype === 'BOOL' ? fc.integer({ min: 0, max: 1 }) : fc.integer({ min: 0, max: 255 });
      return fc.array(byte, { minLength: n * size, maxLength: n * size }).map((bytes) => {
        const buf = new Uint8Array(bytes).buffer;
        const data =
          dtype === 'F64'
            ? new Float64Array(buf)
            : dtype === 'F32'
              ? new Float32Array(buf)
              : dtype === 'F16' || dtype === 'BF16'
                ? new Uint16Array(buf)
                : dtype === 'I64'
                  ? new BigInt64Array(buf)
                  : dtype === 'I32'
                    ? new Int32Array(buf)
                    : dtype === 'I16'
                      ? new Int16Array(buf)
                      : dtype === 'I8'
                        ? new Int8Array(buf)
                        : new Uint8Array(buf);
        return { dtype, shape, data } as StoredTensor;
      });
    });
}

/** The raw bytes of a stored tensor's data (compares NaN payloads exactly). */
export function storedBytes(t: StoredTensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice();
}

/** u64 LE length + header text (optionally space-padded to 8) + data: a hand-made safetensors buffer. */
export function header(json: string, data: Uint8Array, pad = true): Uint8Array {
  let text = new TextEncoder().encode(json);
  if (pad && text.length % 8 !== 0) {
    const padded = new Uint8Array(Math.ceil(text.length / 8) * 8).fill(0x20);
    padded.set(text);
    text = padded;
  }
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}
