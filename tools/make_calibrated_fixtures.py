"""Golden fixtures for src/asp/calibrated (run once with /usr/bin/python3: torch 1.13).

A float64 reference of Wanda and of SparseGPT's N:M mode, written from the papers' descriptions
(Sun et al. 2023, section 3; Frantar & Alistarh 2023, algorithm 1 with the N:M selection of
section 3.5) with torch's own Cholesky routines, on random layers whose inputs have outlier
features and one input column that is always zero.

Writes test/fixtures/asp/calibrated.json.
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'asp', 'calibrated.json')


def wanda(w, x, n, m):
    score = w.abs() * x.norm(dim=0).unsqueeze(0)
    keep = torch.zeros_like(w, dtype=torch.bool)
    for c in range(0, w.shape[1], m):
        top = torch.topk(score[:, c:c + m], n, dim=1).indices
        keep[:, c:c + m].scatter_(1, top, True)
    return w * keep, keep


def sparsegpt(w, x, n, m, blocksize, percdamp):
    w = w.clone()
    cols = w.shape[1]
    h = 2.0 / x.shape[0] * x.t().matmul(x)
    dead = torch.diag(h) == 0
    h[dead, dead] = 1
    w[:, dead] = 0
    h += percdamp * torch.mean(torch.diag(h)) * torch.eye(cols, dtype=h.dtype)
    u = torch.linalg.cholesky(torch.cholesky_inverse(torch.linalg.cholesky(h)), upper=True)
    keep = torch.ones_like(w, dtype=torch.bool)
    for b0 in range(0, cols, blocksize):
        b1 = min(b0 + blocksize, cols)
        wb = w[:, b0:b1].clone()
        err = torch.zeros_like(wb)
        ub = u[b0:b1, b0:b1]
        for i in range(b1 - b0):
            if i % m == 0:
                score = wb[:, i:i + m] ** 2 / torch.diag(ub)[i:i + m].unsqueeze(0) ** 2
                drop = torch.topk(score, m - n, dim=1, largest=False).indices
                group = torch.ones_like(score, dtype=torch.bool)
                group.scatter_(1, drop, False)
                keep[:, b0 + i:b0 + i + m] = group
            col = wb[:, i]
            q = col * keep[:, b0 + i]
            e = (col - q) / ub[i, i]
            wb[:, i:] -= e.unsqueeze(1) * ub[i, i:].unsqueeze(0)
            wb[:, i] = q
            err[:, i] = e
        w[:, b0:b1] = wb
        w[:, b1:] -= err.matmul(u[b0:b1, b1:])
    return w, keep


def case(seed, rows, cols, samples, n, m, blocksize):
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(rows, cols, generator=g, dtype=torch.float64).float().double()
    x = torch.randn(samples, cols, generator=g, dtype=torch.float64).float().double()
    x[:, 3] *= 20.0  # outlier features
    x[:, 10] *= 8.0
    x[:, 5] = 0.0  # a dead input
    ww, wk = wanda(w, x, n, m)
    sw, sk = sparsegpt(w, x, n, m, blocksize, 0.01)
    return {
        'rows': rows, 'cols': cols, 'samples': samples, 'n': n, 'm': m, 'blocksize': blocksize,
        'percdamp': 0.01,
        'weight': w.flatten().tolist(), 'inputs': x.flatten().tolist(),
        'wanda_mask': wk.flatten().int().tolist(),
        'sparsegpt_weight': sw.flatten().tolist(), 'sparsegpt_mask': sk.flatten().int().tolist(),
    }


def main():
    out = {'c24': case(1, 16, 32, 64, 2, 4, 8), 'c28': case(2, 8, 48, 40, 2, 8, 16)}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(out, f)
        f.write('\n')


if __name__ == '__main__':
    main()
