#!/usr/bin/env python3
"""Writes the golden files under test/fixtures/io/ that test/io/*.test.ts read.

Run with the system interpreter that has numpy and torch:  /usr/bin/python3 tools/make_io_fixtures.py
Everything is deterministic, so rerunning reproduces the committed bytes.

safetensors: the `safetensors` package is not assumed, so the file is laid out by hand following
the reference writer: u64 LE header length, compact JSON with __metadata__ first, tensors sorted
by dtype (widest first, in the reference's Dtype enum order) then name, header padded with spaces
to a multiple of 8, then the raw little-endian data.
"""
import gzip
import io
import json
import os
import struct

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'io')
os.makedirs(OUT, exist_ok=True)


def write(name, data):
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)


def write_json(name, obj):
    with open(os.path.join(OUT, name), 'w') as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write('\n')


def f32_bits(x):
    return struct.unpack('<I', struct.pack('<f', x))[0]


# ---------------------------------------------------------------- float16 / bfloat16 cases
def half_cases():
    u = np.uint32
    tricky = [
        0.0, -0.0, 1.0, -1.0, 65504.0, 65519.99, 65520.0, -65520.0, 1e10, float('inf'), float('-inf'),
        1.0 + 2.0 ** -11, 1.0 + 3 * 2.0 ** -11, 1.0 + 2.0 ** -11 + 2.0 ** -20, 2.0 ** -14, 2.0 ** -24,
        2.0 ** -25, 3 * 2.0 ** -25, 2.0 ** -25 + 2.0 ** -40, 2.0 ** -26, 1023 * 2.0 ** -24,
        1023.5 * 2.0 ** -24, 2.0 ** -14 - 2.0 ** -25, 0.1, 1 / 3, 3.14159265, 1e-8, -1e-8,
        3.4028234663852886e38, 1.401298464324817e-45, 1.1754943508222875e-38,
        1.0 + 2.0 ** -8, 1.0 + 3 * 2.0 ** -8, 1.0 + 2.0 ** -8 + 2.0 ** -23, 255.5, 256.5,
    ]
    bits = [f32_bits(x) for x in tricky]
    bits += [0x7fc00000, 0x7f7fffff, 0xff7fffff, 0x7f7f8000, 0x7f7f7fff, 0x00400000, 0x807fffff, 0x3f808000,
             0x3f818000, 0x3f80c000]
    rng = np.random.RandomState(24)
    # Random bit patterns with exponents spread over the whole range, plus random halfway patterns.
    bits += [int(b) for b in rng.randint(0, 2 ** 32, size=1500, dtype=np.uint64)]
    for _ in range(300):
        e = int(rng.randint(100, 145))
        m = int(rng.randint(0, 2 ** 10)) << 13 | 0x1000  # exactly halfway for float16 normals
        bits.append((int(rng.randint(0, 2)) << 31) | (e << 23) | m)
        m2 = int(rng.randint(0, 2 ** 7)) << 16 | 0x8000  # exactly halfway for bfloat16
        bits.append((int(rng.randint(0, 2)) << 31) | (int(rng.randint(1, 255)) << 23) | m2)
    # NaN handling differs between libraries beyond the canonical NaN, so keep only the canonical one.
    arr = np.array(bits, dtype=u)
    f = arr.view(np.float32)
    keep = ~np.isnan(f) | (arr == 0x7fc00000)
    arr, f = arr[keep], f[keep]
    with np.errstate(over='ignore'):
        f16 = f.astype(np.float16).view(np.uint16)
    bf16 = torch.from_numpy(f.copy()).to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)
    h = np.concatenate([np.arange(0, 65536, 97, dtype=np.uint16),
                        np.array([0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x7bff, 0x7c00, 0xfc00, 0x7e00], dtype=np.uint16)])
    h_f32 = h.view(np.float16).astype(np.float32).view(np.uint32)
    b = np.concatenate([np.arange(0, 65536, 89, dtype=np.uint16), np.array([0x0001, 0x7f80, 0xff80, 0x7fc0], dtype=np.uint16)])
    b_f32 = torch.from_numpy(b.view(np.int16).copy()).view(torch.bfloat16).to(torch.float32).numpy().view(np.uint32)
    write_json('half_cases.json', {
        'f32_bits': [int(x) for x in arr], 'f16_bits': [int(x) for x in f16], 'bf16_bits': [int(x) for x in bf16],
        'f16_in': [int(x) for x in h], 'f16_out_f32_bits': [int(x) for x in h_f32],
        'bf16_in': [int(x) for x in b], 'bf16_out_f32_bits': [int(x) for x in b_f32],
    })


# ---------------------------------------------------------------- safetensors
ST_ORDER = ['BOOL', 'U8', 'I8', 'I16', 'F16', 'BF16', 'I32', 'F32', 'F64', 'I64']


def safetensors_fixture():
    tensors = {
        'weight': ('F32', np.arange(6, dtype=np.float32).reshape(2, 3) / 4 - 0.5),
        'half': ('F16', np.array([1.5, -2.25, 65504, 2.0 ** -24], dtype=np.float16)),
        'brain': ('BF16', torch.tensor([1.0, -3.5, 1e30, 2.0 ** -130]).to(torch.bfloat16)),
        'double': ('F64', np.array([[0.1], [-1e300]], dtype=np.float64)),
        'mask': ('BOOL', np.array([[True, False], [False, True]])),
        'bytes': ('U8', np.array([0, 7, 255], dtype=np.uint8)),
        'signed8': ('I8', np.array([-128, 0, 127], dtype=np.int8)),
        'short': ('I16', np.array([-32768, 12345], dtype=np.int16)),
        'int': ('I32', np.array([[-2 ** 31, 2 ** 31 - 1, 42]], dtype=np.int32)),
        'long': ('I64', np.array([-2 ** 63, 2 ** 63 - 1, 9007199254740993], dtype=np.int64)),
        '__proto__': ('F32', np.array(3.25, dtype=np.float32)),
        'constructor': ('F32', np.zeros((0, 4), dtype=np.float32)),
        'blöck.0': ('F32', np.array([1, 2], dtype=np.float32)),
    }
    metadata = {'format': 'pt', '__proto__': 'still a key', 'note': 'ünïcode "quoted"'}
    names = sorted(tensors, key=lambda n: (-ST_ORDER.index(tensors[n][0]), n.encode('utf-8')))
    header = {'__metadata__': metadata}
    blobs, offset, expected = [], 0, {}
    for n in names:
        dtype, arr = tensors[n]
        if isinstance(arr, torch.Tensor):
            raw = arr.view(torch.int16).numpy().astype('<i2').tobytes()
            values = [float(x) for x in arr.to(torch.float32).flatten()]
            shape = list(arr.shape)
        else:
            raw = arr.astype(arr.dtype.newbyteorder('<')).tobytes()
            shape = list(arr.shape)
            if dtype == 'I64':
                values = [str(int(x)) for x in arr.flatten()]
            elif dtype == 'BOOL':
                values = [int(x) for x in arr.flatten()]
            else:
                values = [float(x) if dtype.startswith('F') else int(x) for x in arr.flatten()]
        header[n] = {'dtype': dtype, 'shape': shape, 'data_offsets': [offset, offset + len(raw)]}
        expected[n] = {'dtype': dtype, 'shape': shape, 'values': values, 'hex': raw.hex()}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    write('golden.safetensors', struct.pack('<Q', len(text)) + text + b''.join(blobs))
    write_json('golden_safetensors.json', {'tensors': expected, 'metadata': metadata, 'order': names})


# ---------------------------------------------------------------- .npy
def npy_fixtures():
    arrays = {
        'f4': np.arange(6, dtype=np.float32).reshape(2, 3) * 1.5 - 2,
        'f8': np.array([[0.1, -2.5e-300], [1e300, 7.0]]),
        'f2': np.array([1.0, -0.5, 65504, 6e-8], dtype=np.float16),
        'i4': np.array([-2 ** 31, 0, 2 ** 31 - 1], dtype=np.int32),
        'i8': np.array([[-2 ** 63], [2 ** 53 + 1]], dtype=np.int64),
        'i2': np.array([-32768, 32767], dtype=np.int16),
        'i1': np.array([-128, 127], dtype=np.int8),
        'u1': np.arange(5, dtype=np.uint8).reshape(1, 5, 1),
        'b1': np.array([True, False, True]),
        'scalar': np.array(2.5, dtype=np.float32),
        'empty': np.zeros((0, 3), dtype=np.float32),
    }
    expected = {}
    for name, arr in arrays.items():
        buf = io.BytesIO()
        np.save(buf, arr)
        write(f'{name}.npy', buf.getvalue())
        expected[name] = {'shape': list(arr.shape), 'values': [str(int(x)) if arr.dtype == np.int64 else float(x) if arr.dtype.kind == 'f' else int(x) for x in arr.flatten()]}
    big = np.arange(12, dtype=np.float32).reshape(3, 4) - 5.5
    buf = io.BytesIO()
    np.lib.format.write_array(buf, big, version=(2, 0))
    write('v2_f4.npy', buf.getvalue())
    expected['v2_f4'] = {'shape': [3, 4], 'values': [float(x) for x in big.flatten()]}
    be = np.array([[1.5, -2.0], [3.25, 1e-3]], dtype='>f4')
    buf = io.BytesIO()
    np.save(buf, be)
    write('be_f4.npy', buf.getvalue())
    expected['be_f4'] = {'shape': [2, 2], 'values': [float(x) for x in be.flatten()]}
    bei = np.array([-2, 2 ** 40], dtype='>i8')
    buf = io.BytesIO()
    np.save(buf, bei)
    write('be_i8.npy', buf.getvalue())
    expected['be_i8'] = {'shape': [2], 'values': [str(int(x)) for x in bei]}
    buf = io.BytesIO()
    np.save(buf, np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
    write('fortran_f4.npy', buf.getvalue())
    write_json('golden_npy.json', expected)


# ---------------------------------------------------------------- IDX
IDX_CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D, np.float64: 0x0E}


def idx_fixtures():
    arrays = {
        'u8': np.arange(24, dtype=np.uint8).reshape(2, 3, 4) * 10,
        'i8': np.array([-128, -1, 0, 127], dtype=np.int8),
        'i16': np.array([[-32768, 300], [1, 32767]], dtype=np.int16),
        'i32': np.array([-2 ** 31, 70000, 2 ** 31 - 1], dtype=np.int32),
        'f32': np.array([[1.5, -0.25, 3e38]], dtype=np.float32),
        'f64': np.array([0.1, -1e300], dtype=np.float64),
    }
    expected = {}
    for name, arr in arrays.items():
        head = bytes([0, 0, IDX_CODES[arr.dtype.type], arr.ndim]) + b''.join(struct.pack('>I', d) for d in arr.shape)
        raw = head + arr.astype(arr.dtype.newbyteorder('>')).tobytes()
        write(f'{name}.idx', raw)
        write(f'{name}.idx.gz', gzip.compress(raw, mtime=0))
        expected[name] = {'shape': list(arr.shape), 'values': [float(x) for x in arr.flatten()]}
    write_json('golden_idx.json', expected)


if __name__ == '__main__':
    half_cases()
    safetensors_fixture()
    npy_fixtures()
    idx_fixtures()
    print('wrote', sorted(os.listdir(OUT)))
