#!/usr/bin/python3
"""Writes a PyTorch-made checkpoint fixture for sparse24's loadCheckpoint, and checks the reverse.

Regenerate (from the repository root) with Debian's interpreter, which has torch 1.13 but not the
`safetensors` package, so the file is written by hand in the safetensors layout (u64 LE header
length, JSON header, raw little-endian data) exactly as `safetensors.torch.save_file` would hold it:

    /usr/bin/python3 tools/make_checkpoint_fixtures.py

test/fixtures/nn/checkpoint_torch.safetensors   state_dict() of a small CNN (float32, and the
                                                batch norm's num_batches_tracked as int64)
test/fixtures/nn/checkpoint_torch.json          a fixed input and the model's eval-mode output

The CNN is nn.Sequential(Conv2d(1, 4, 3, padding=1), BatchNorm2d(4), ReLU(), MaxPool2d(2),
Flatten(), Linear(64, 10)) on 1x8x8 images; its running statistics come from three training-mode
passes, so they are not the defaults.

    /usr/bin/python3 tools/make_checkpoint_fixtures.py --check FILE

reads a safetensors file written by sparse24's saveCheckpoint for the same architecture and loads
it into the torch model with load_state_dict(strict=True) (not used by the tests; a manual check).
"""

import json
import os
import struct
import sys

import torch
import torch.nn as nn

OUT_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'nn'))
DTYPES = {torch.float32: 'F32', torch.int64: 'I64'}
FROM_DTYPE = {'F32': torch.float32, 'I64': torch.int64}


def model():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64, 10))


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().numpy().astype(t.numpy().dtype.newbyteorder('<')).tobytes()
        header[name] = {'dtype': DTYPES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    js = json.dumps(header, separators=(',', ':')).encode()
    js += b' ' * (-len(js) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(js)) + js + b''.join(blobs))


def read_safetensors(path):
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop('__metadata__', None)
    base = 8 + n
    out = {}
    for name, e in header.items():
        a, b = e['data_offsets']
        t = torch.frombuffer(bytearray(raw[base + a:base + b]), dtype=FROM_DTYPE[e['dtype']])
        out[name] = t.reshape(e['shape'])
    return out


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--check':
        m = model()
        sd = read_safetensors(sys.argv[2])
        print(m.load_state_dict(sd, strict=True), {k: str(v.dtype) for k, v in sd.items() if v.dtype != torch.float32})
        return
    torch.manual_seed(0)
    m = model()
    m.train()
    with torch.no_grad():
        for _ in range(3):
            m(torch.randn(5, 1, 8, 8) * 2 + 0.5)
    m.eval()
    x = torch.randn(2, 1, 8, 8)
    with torch.no_grad():
        y = m(x)
    os.makedirs(OUT_DIR, exist_ok=True)
    write_safetensors(os.path.join(OUT_DIR, 'checkpoint_torch.safetensors'), m.state_dict())
    enc = lambda t: {'shape': list(t.shape), 'data': [float('%.9g' % v) for v in t.flatten().tolist()]}
    with open(os.path.join(OUT_DIR, 'checkpoint_torch.json'), 'w') as f:
        json.dump({'input': enc(x), 'output': enc(y), 'numBatchesTracked': int(m[1].num_batches_tracked)}, f)
        f.write('\n')


if __name__ == '__main__':
    main()
