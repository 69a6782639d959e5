#!/usr/bin/python3
"""Writes PyTorch golden fixtures for sparse24's nn layer to test/fixtures/nn/*.json.

Regenerate (from the repository root) with Debian's interpreter, which has torch 1.13:

    /usr/bin/python3 tools/make_nn_fixtures.py

layers.json  one case per module run: the module's kind and constructor args (sparse24 spelling),
             its state dict before the run (so the test loads the very same weights), inputs,
             outputs, the random upstream gradient fed to backward, the gradients of the inputs
             and of every parameter (by state-dict key), and the buffers after the run.
optim.json   a tiny least-squares problem and the parameters after each of 3 optimizer steps.
sched.json   learning-rate (and momentum) sequences of the schedulers.
Values are float32 (float64 for lrs), 9 significant digits. The seed is fixed.
"""

import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'nn'))


def enc(t):
    t = t.detach().to(torch.float32).contiguous()
    return {'shape': list(t.shape), 'data': [float('%.9g' % v) for v in t.flatten().tolist()]}


def layer_case(name, kind, args, module, inputs, call=None, train=True, outputs_fn=None):
    module.train(train)
    module.zero_grad(set_to_none=True)
    sd_before = {k: enc(v) for k, v in module.state_dict().items()}
    ins = {k: v.detach().clone().requires_grad_(v.dtype == torch.float32 and k != 'keyPaddingMask') for k, v in inputs.items()}
    out = call(module, ins) if call else module(*ins.values())
    outs = out if isinstance(out, tuple) else (out,)
    main = outs[0]
    upstream = torch.randn(main.shape)
    (main * upstream).sum().backward()
    grads = {k: enc(v.grad) for k, v in ins.items() if v.grad is not None}
    for k, p in module.named_parameters():
        if p.grad is not None:
            grads[k] = enc(p.grad)
    return {
        'name': name,
        'kind': kind,
        'args': args,
        'train': train,
        'stateDict': sd_before,
        'inputs': {k: enc(v) for k, v in inputs.items()},
        'outputs': {('out' if i == 0 else 'weights'): enc(o) for i, o in enumerate(outs) if o is not None},
        'upstream': enc(upstream),
        'grads': grads,
        'buffersAfter': {k: enc(v) for k, v in module.named_buffers()},
    }


def layers():
    torch.manual_seed(0)
    cases = []
    cases.append(layer_case('linear', 'Linear', {'inFeatures': 4, 'outFeatures': 3}, nn.Linear(4, 3), {'x': torch.randn(2, 5, 4)}))
    cases.append(layer_case('linear no bias', 'Linear', {'inFeatures': 4, 'outFeatures': 2, 'bias': False},
                            nn.Linear(4, 2, bias=False), {'x': torch.randn(3, 4)}))
    cases.append(layer_case('conv1d stride2 pad1 dil2', 'Conv1d',
                            {'inChannels': 2, 'outChannels': 4, 'kernelSize': 3, 'stride': 2, 'padding': 1, 'dilation': 2},
                            nn.Conv1d(2, 4, 3, stride=2, padding=1, dilation=2), {'x': torch.randn(2, 2, 9)}))
    cases.append(layer_case('conv2d groups2', 'Conv2d',
                            {'inChannels': 4, 'outChannels': 6, 'kernelSize': [3, 2], 'stride': [1, 2], 'padding': [1, 0], 'groups': 2},
                            nn.Conv2d(4, 6, (3, 2), stride=(1, 2), padding=(1, 0), groups=2), {'x': torch.randn(2, 4, 5, 6)}))
    cases.append(layer_case('conv2d depthwise no bias', 'Conv2d',
                            {'inChannels': 3, 'outChannels': 3, 'kernelSize': 3, 'padding': 1, 'groups': 3, 'bias': False},
                            nn.Conv2d(3, 3, 3, padding=1, groups=3, bias=False), {'x': torch.randn(1, 3, 4, 4)}))
    cases.append(layer_case('conv3d', 'Conv3d', {'inChannels': 2, 'outChannels': 2, 'kernelSize': 2, 'stride': 1, 'padding': 1},
                            nn.Conv3d(2, 2, 2, padding=1), {'x': torch.randn(1, 2, 3, 3, 3)}))
    bn = nn.BatchNorm2d(3, momentum=0.2)
    with torch.no_grad():
        bn.weight.copy_(torch.randn(3))
        bn.bias.copy_(torch.randn(3))
    cases.append(layer_case('batchnorm2d train', 'BatchNorm2d', {'numFeatures': 3, 'momentum': 0.2}, bn, {'x': torch.randn(2, 3, 3, 2) * 2 + 1}))
    cases.append(layer_case('batchnorm2d eval (after the train step)', 'BatchNorm2d', {'numFeatures': 3, 'momentum': 0.2}, bn,
                            {'x': torch.randn(2, 3, 3, 2)}, train=False))
    bn1 = nn.BatchNorm1d(4, momentum=None)
    cases.append(layer_case('batchnorm1d cumulative average', 'BatchNorm1d', {'numFeatures': 4, 'momentum': None}, bn1,
                            {'x': torch.randn(5, 4)}))
    ln = nn.LayerNorm([2, 3])
    with torch.no_grad():
        ln.weight.copy_(torch.randn(2, 3))
        ln.bias.copy_(torch.randn(2, 3))
    cases.append(layer_case('layernorm', 'LayerNorm', {'normalizedShape': [2, 3]}, ln, {'x': torch.randn(4, 2, 3)}))
    gn = nn.GroupNorm(2, 4)
    with torch.no_grad():
        gn.weight.copy_(torch.randn(4))
        gn.bias.copy_(torch.randn(4))
    cases.append(layer_case('groupnorm', 'GroupNorm', {'numGroups': 2, 'numChannels': 4}, gn, {'x': torch.randn(2, 4, 3)}))

    def mha_call(m, ins):
        kpm = ins.get('keyPaddingMask')
        return m(ins['query'], ins['key'], ins['value'], key_padding_mask=None if kpm is None else kpm.bool())

    mha = nn.MultiheadAttention(6, 2)
    with torch.no_grad():
        mha.in_proj_bias.copy_(torch.randn(18) * 0.1)
        mha.out_proj.bias.copy_(torch.randn(6) * 0.1)
    L, S, N = 3, 4, 2
    cases.append(layer_case('mha seq-first, cross attention', 'MultiheadAttention', {'embedDim': 6, 'numHeads': 2}, mha,
                            {'query': torch.randn(L, N, 6), 'key': torch.randn(S, N, 6), 'value': torch.randn(S, N, 6)}, call=mha_call))
    mha_bf = nn.MultiheadAttention(4, 1, batch_first=True)
    x = torch.randn(2, 3, 4)
    mask = torch.tensor([[0., 0., 1.], [0., 0., 0.]])
    cases.append(layer_case('mha batch-first self attention, key padding mask', 'MultiheadAttention',
                            {'embedDim': 4, 'numHeads': 1, 'batchFirst': True}, mha_bf,
                            {'query': x, 'key': x.clone(), 'value': x.clone(), 'keyPaddingMask': mask}, call=mha_call))
    return {'torch': torch.__version__, 'cases': cases}


def optim():
    torch.manual_seed(1)
    w0 = torch.randn(3, 4)
    b0 = torch.randn(3)
    x = torch.randn(5, 4)
    y = torch.randn(5, 3)
    configs = [
        ('SGD', {'lr': 0.1}, lambda p: torch.optim.SGD(p, lr=0.1)),
        ('SGD', {'lr': 0.1, 'momentum': 0.9, 'nesterov': True, 'weightDecay': 0.01},
         lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
        ('SGD', {'lr': 0.05, 'momentum': 0.8, 'dampening': 0.3, 'weightDecay': 0.1},
         lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.1)),
        ('Adam', {'lr': 0.01, 'weightDecay': 0.05}, lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.05)),
        ('Adam', {'lr': 0.02, 'betas': [0.8, 0.9], 'eps': 1e-3, 'amsgrad': True},
         lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.9), eps=1e-3, amsgrad=True)),
        ('AdamW', {'lr': 0.01, 'weightDecay': 0.1}, lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1)),
    ]
    runs = []
    for name, args, make in configs:
        w = w0.clone().requires_grad_(True)
        b = b0.clone().requires_grad_(True)
        opt = make([w, b])
        steps = []
        for _ in range(3):
            opt.zero_grad()
            F.mse_loss(F.linear(x, w, b), y).backward()
            opt.step()
            steps.append({'weight': enc(w), 'bias': enc(b)})
        runs.append({'optimizer': name, 'args': args, 'steps': steps})
    return {'torch': torch.__version__, 'problem': {'weight': enc(w0), 'bias': enc(b0), 'x': enc(x), 'y': enc(y)}, 'runs': runs}


def sched():
    def run(make, steps, opt_args=None):
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.5, momentum=0.9, **(opt_args or {}))
        s = make(opt)
        lrs, moms = [s.get_last_lr()[0]], [opt.param_groups[0]['momentum']]
        for _ in range(steps):
            opt.step()
            s.step()
            lrs.append(s.get_last_lr()[0])
            moms.append(opt.param_groups[0]['momentum'])
        return lrs, moms

    out = []
    for name, args, make, steps in [
        ('StepLR', {'stepSize': 3, 'gamma': 0.5}, lambda o: torch.optim.lr_scheduler.StepLR(o, 3, 0.5), 10),
        ('CosineAnnealingLR', {'tMax': 5, 'etaMin': 0.01}, lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 5, 0.01), 13),
        ('LinearLR', {'startFactor': 0.25, 'endFactor': 1.0, 'totalIters': 4},
         lambda o: torch.optim.lr_scheduler.LinearLR(o, 0.25, 1.0, 4), 8),
        ('OneCycleLR', {'maxLr': 1.0, 'totalSteps': 10},
         lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10), 9),
        ('OneCycleLR', {'maxLr': 2.0, 'totalSteps': 12, 'annealStrategy': 'linear', 'pctStart': 0.25, 'threePhase': True},
         lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=2.0, total_steps=12, anneal_strategy='linear',
                                                       pct_start=0.25, three_phase=True), 11),
    ]:
        lrs, moms = run(make, steps)
        out.append({'scheduler': name, 'args': args, 'lrs': lrs, 'momentums': moms})
    return {'torch': torch.__version__, 'optimizer': {'lr': 0.5, 'momentum': 0.9}, 'runs': out}


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for name, data in [('layers', layers()), ('optim', optim()), ('sched', sched())]:
        with open(os.path.join(OUT_DIR, name + '.json'), 'w') as f:
            json.dump(data, f)
            f.write('\n')


if __name__ == '__main__':
    main()
