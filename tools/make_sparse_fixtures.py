"""Golden fixtures for src/sparse (run once with /usr/bin/python3: torch 1.13 + numpy).

torch 1.13 has no to_sparse_semi_structured, so the CUTLASS layout is computed here by an
independent numpy implementation of docs/formats.md §2, vectorized over whole arrays (the TypeScript code
loops per element). Masks use apex's own recipe: the pattern list built from a Python set,
a float32 matmul, and torch.argmax (first maximum).

Writes test/fixtures/sparse/golden.json.
"""
import json
import os
from itertools import permutations

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'sparse', 'golden.json')


def apex_patterns():
    # Exactly apex's compute_valid_1d_patterns(4, 2): iteration order of a set.
    return torch.tensor(list(set(permutations([1.0, 1.0, 0.0, 0.0]))))


def apex_m4n2_1d(mat):
    """mn_1d_best(mat, 4, 2) on a 2-D float32 tensor."""
    pats = apex_patterns()
    groups = mat.abs().reshape(-1, 4)
    scores = torch.matmul(groups, pats.t())
    choice = torch.argmax(scores, dim=1)
    return pats[choice].reshape(mat.shape)


def apex_create_mask(w):
    """apex create_mask's rank dispatch (rank 3 and 4), m4n2_1d."""
    if w.dim() == 2:
        return apex_m4n2_1d(w)
    if w.dim() == 3:
        t = w.permute(0, 2, 1).contiguous().view(-1, w.shape[1])
        return apex_m4n2_1d(t).view(w.shape[0], w.shape[2], w.shape[1]).permute(0, 2, 1).contiguous()
    if w.dim() == 4:
        k, c, r, s = w.shape
        t = w.permute(2, 3, 0, 1).contiguous().view(-1, c)
        return apex_m4n2_1d(t).view(r, s, k, c).permute(2, 3, 0, 1).contiguous()
    raise ValueError(w.dim())


def tie_heavy(rng, shape):
    # Few distinct magnitudes, so ties and all-zero groups are common.
    return rng.choice(np.array([0, 0, 1, -1, 2, 0.5, -0.5, 3], dtype=np.float32), size=shape)


def cutlass_encode(dense, mask, value_dtype):
    """docs/formats.md §2.1-2.5, vectorized. Returns (packed, meta_stored)."""
    m, k = dense.shape
    idx = np.argsort(-mask.reshape(m, k // 4, 4).astype(np.int64), axis=-1, kind="stable")[..., :2]
    idx = np.sort(idx, axis=-1)  # ascending i0 < i1
    vals = np.take_along_axis(dense.reshape(m, k // 4, 4), idx, axis=-1).reshape(m, k // 2)
    nib = (idx[..., 0] | (idx[..., 1] << 2)).astype(np.uint64)
    per_word = 8 if value_dtype == 'int8' else 4
    nib = nib.reshape(m, k // (4 * per_word), per_word)
    words = (nib << (4 * np.arange(per_word, dtype=np.uint64))).sum(axis=-1).astype(np.uint64)
    ncols = words.shape[1]
    group, ilv = (16, 2) if value_dtype == 'int8' else (32, 4)
    r = np.arange(m)[:, None].repeat(ncols, 1)
    c = np.arange(ncols)[None, :].repeat(m, 0)
    r1 = (r // group) * group + (r % 8) * ilv + (r % group) // 8
    swap_up = (r1 % 2 == 0) & (c % 2 == 1)
    swap_dn = (r1 % 2 == 1) & (c % 2 == 0)
    c1 = np.where(swap_up, c - 1, np.where(swap_dn, c + 1, c))
    r1 = np.where(swap_up, r1 + 1, np.where(swap_dn, r1 - 1, r1))
    off = (c1 // 2) * (2 * m) + r1 * 2 + (c1 % 2)
    stored = np.zeros(m * ncols, dtype=np.uint64)
    stored[off.ravel()] = words.ravel()
    assert len(set(off.ravel().tolist())) == m * ncols
    return vals, stored


def main():
    rng = np.random.default_rng(24)
    fx = {}

    # 1. m4n2_1d on a tie-heavy matrix and on random normals.
    for name, mat in [('tie', tie_heavy(rng, (8, 16))), ('randn', rng.standard_normal((8, 32)).astype(np.float32))]:
        fx[f'm4n2_1d_{name}'] = {
            'shape': list(mat.shape),
            'weight': mat.ravel().tolist(),
            'mask': apex_m4n2_1d(torch.from_numpy(mat)).int().ravel().tolist(),
        }

    # 2. Rank dispatch: Conv1d and Conv2d weights.
    for name, shape in [('conv1d', (8, 16, 3)), ('conv2d', (8, 8, 3, 2))]:
        w = rng.standard_normal(shape).astype(np.float32)
        fx[f'create_mask_{name}'] = {
            'shape': list(shape),
            'weight': w.ravel().tolist(),
            'mask': apex_create_mask(torch.from_numpy(w)).int().ravel().tolist(),
        }

    # 3. CUTLASS layout, fp16 / bf16 (int16 meta) and int8 (int32 meta).
    for name, shape, vdt in [('f16', (32, 64), 'float16'), ('bf16', (64, 32), 'bfloat16'), ('i8', (32, 64), 'int8')]:
        if vdt == 'int8':
            dense = rng.integers(-128, 128, size=shape).astype(np.float32)
        else:
            dense = (rng.standard_normal(shape) * 4).astype(np.float32)
        mask = apex_m4n2_1d(torch.from_numpy(dense)).numpy().astype(np.uint8)
        # Keep a few zeros that the mask keeps, to pin "built from the mask, not from nonzeros".
        dense[0, :4] = [0.0, 0.0, 5.0, 0.0]
        mask[0, :4] = [0, 1, 0, 1]
        vals, stored = cutlass_encode(dense, mask, vdt)
        if vdt == 'float16':
            packed_bits = vals.astype(np.float16).view(np.uint16)
        elif vdt == 'bfloat16':
            packed_bits = torch.from_numpy(vals).to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)
        else:
            packed_bits = vals.astype(np.int8)
        fx[f'cutlass_{name}'] = {
            'shape': list(shape),
            'dtype': vdt,
            'dense': dense.ravel().tolist(),
            'mask': mask.ravel().tolist(),
            'packed': packed_bits.ravel().astype(np.int64).tolist(),
            'meta': stored.astype(np.int64).tolist(),  # unsigned word values
        }

    # 4. compressed-tensors bitmask: numpy.packbits little-endian along rows (cols not a multiple of 8 too).
    for name, shape in [('c16', (4, 16)), ('c12', (3, 12))]:
        dense = rng.standard_normal(shape).astype(np.float32)
        mask = apex_m4n2_1d(torch.from_numpy(dense)).numpy().astype(np.uint8)
        fx[f'bitmask_{name}'] = {
            'shape': list(shape),
            'dense': dense.ravel().tolist(),
            'mask': mask.ravel().tolist(),
            'bitmask': np.packbits(mask, axis=-1, bitorder='little').ravel().tolist(),
            'compressed_f16': dense[mask.astype(bool)].astype(np.float16).view(np.uint16).astype(int).tolist(),
        }

    # 5. Half conversions on edge values.
    edge = np.array([0.0, -0.0, 1.0, -2.5, 65504.0, 65519.996, 65520.0, 1e-8, 2.0**-24, 2.0**-25, 3 * 2.0**-26,
                     2.0**-14, 1.0009765625, 1.00048828125, 1.00146484375, 3.14159265, -1e30, np.inf, -np.inf,
                     1.00390625, 1.005859375, 3.0e38, 1.0e-40],
                    dtype=np.float32)
    with np.errstate(over='ignore'):
        f16 = edge.astype(np.float16)
    fx['half'] = {
        'values_bits': edge.view(np.uint32).astype(int).tolist(),  # JSON has no Infinity
        'float16': f16.view(np.uint16).astype(int).tolist(),
        'bfloat16': torch.from_numpy(edge).to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16).astype(int).tolist(),
    }

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(fx, f, separators=(',', ':'))
        f.write('\n')
    print('wrote', OUT)


if __name__ == '__main__':
    main()
