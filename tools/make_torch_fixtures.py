#!/usr/bin/python3
"""Writes PyTorch golden fixtures for sparse24's ops to test/fixtures/torch/*.json.

Regenerate (from the repository root) with Debian's interpreter, which has torch 1.13 and numpy:

    /usr/bin/python3 tools/make_torch_fixtures.py

Each file holds one op: {"op", "torch", "cases": [...]}. A case has
  name      what the case exercises
  args      keyword arguments in sparse24's (camelCase) spelling
  inputs    tensors passed to the op, each {"shape": [...], "data": [...flat row-major...]}
  outputs   tensors the op produces ("out", plus updated running stats for batch norm)
  upstream  the gradient fed to backward: random, so every output element matters
  grads     d(sum(out * upstream))/d(input) for each input that requires grad
Values are float32, written with 9 significant digits (enough to round-trip a float32).
The seed is fixed, so reruns produce identical files.
"""

import json
import os

import torch
import torch.nn.functional as F

OUT_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'torch'))


def enc(t):
    t = t.detach().to(torch.float32).contiguous()
    return {'shape': list(t.shape), 'data': [float('%.9g' % v) for v in t.flatten().tolist()]}


def randn(*shape, grad=True):
    return torch.randn(*shape, dtype=torch.float32).requires_grad_(grad)


def case(name, fn, inputs, args=None, extra_outputs=None):
    """Runs fn(**inputs), backpropagates a random upstream gradient, records everything."""
    out = fn(**inputs)
    upstream = torch.randn(out.shape, dtype=torch.float32)
    grad_inputs = {k: v for k, v in inputs.items() if isinstance(v, torch.Tensor) and v.requires_grad}
    grads = torch.autograd.grad((out * upstream).sum(), list(grad_inputs.values()), allow_unused=True)
    outputs = {'out': enc(out)}
    for k, v in (extra_outputs or {}).items():
        outputs[k] = enc(v)
    return {
        'name': name,
        'args': args or {},
        'inputs': {k: enc(v) for k, v in inputs.items() if isinstance(v, torch.Tensor)},
        'outputs': outputs,
        'upstream': enc(upstream),
        'grads': {k: enc(g if g is not None else torch.zeros_like(grad_inputs[k])) for k, g in zip(grad_inputs, grads)},
    }


def write(op, cases):
    path = os.path.join(OUT_DIR, op + '.json')
    with open(path, 'w') as f:
        json.dump({'op': op, 'torch': torch.__version__, 'cases': cases}, f, separators=(',', ':'))
        f.write('\n')
    size = os.path.getsize(path)
    assert size < 30_000, f'{path} is {size} bytes; keep fixtures under 30 KB'
    print(f'{path}: {len(cases)} cases, {size} bytes')


def conv_cases():
    def conv(f, stride, padding, dilation, groups):
        args = {'stride': stride, 'padding': padding, 'dilation': dilation, 'groups': groups}
        return args, lambda x, w, b=None: f(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

    c2 = []
    args, fn = conv(F.conv2d, [2, 2], [1, 1], [1, 1], 2)
    c2.append(case('groups2_stride2_pad1_bias', fn, {'x': randn(1, 4, 6, 6), 'w': randn(6, 2, 3, 3), 'b': randn(6)}, args))
    args, fn = conv(F.conv2d, [1, 2], [2, 1], [2, 2], 1)
    c2.append(case('dilation2_asym_stride_pad_bias', fn, {'x': randn(1, 3, 7, 7), 'w': randn(4, 3, 3, 3), 'b': randn(4)}, args))
    args, fn = conv(F.conv2d, [1, 1], [0, 0], [1, 1], 1)
    c2.append(case('plain_no_bias', fn, {'x': randn(1, 2, 5, 4), 'w': randn(3, 2, 2, 3)}, args))
    args, fn = conv(F.conv2d, [1, 1], [1, 1], [1, 1], 4)
    c2.append(case('depthwise', fn, {'x': randn(1, 4, 5, 5), 'w': randn(4, 1, 3, 3), 'b': randn(4)}, args))
    write('conv2d', c2)

    c1 = []
    args, fn = conv(F.conv1d, [2], [1], [2], 2)
    c1.append(case('groups2_stride2_pad1_dil2_bias', fn, {'x': randn(2, 4, 9), 'w': randn(6, 2, 3), 'b': randn(6)}, args))
    args, fn = conv(F.conv1d, [1], [0], [1], 1)
    c1.append(case('plain_no_bias', fn, {'x': randn(2, 3, 6), 'w': randn(2, 3, 2)}, args))
    write('conv1d', c1)

    c3 = []
    args, fn = conv(F.conv3d, [1, 1, 1], [1, 1, 1], [1, 1, 1], 1)
    c3.append(case('pad1_bias', fn, {'x': randn(1, 2, 3, 4, 3), 'w': randn(3, 2, 2, 2, 2), 'b': randn(3)}, args))
    args, fn = conv(F.conv3d, [2, 1, 2], [0, 1, 1], [1, 2, 1], 2)
    c3.append(case('groups2_stride_dilation', fn, {'x': randn(1, 4, 4, 4, 4), 'w': randn(2, 2, 2, 2, 2)}, args))
    write('conv3d', c3)


def linear_cases():
    cases = [
        case('bias_2d', lambda x, w, b: F.linear(x, w, b), {'x': randn(3, 5), 'w': randn(4, 5), 'b': randn(4)}),
        case('no_bias_3d', lambda x, w: F.linear(x, w), {'x': randn(2, 3, 5), 'w': randn(4, 5)}),
    ]
    write('linear', cases)


def norm_cases():
    bn = []
    for name, shape in (('train_3d', (4, 3, 5)), ('train_2d', (6, 3))):
        rm = torch.randn(3)
        rv = torch.rand(3) + 0.5
        rm_after, rv_after = rm.clone(), rv.clone()
        inputs = {'x': randn(*shape), 'runningMean': rm, 'runningVar': rv, 'weight': randn(3), 'bias': randn(3)}

        def fn(x, runningMean, runningVar, weight, bias, rm_after=rm_after, rv_after=rv_after):
            return F.batch_norm(x, rm_after, rv_after, weight, bias, training=True, momentum=0.1, eps=1e-5)

        c = case(name, fn, inputs, {'training': True, 'momentum': 0.1, 'eps': 1e-5},
                 extra_outputs={'runningMean': rm_after, 'runningVar': rv_after})
        bn.append(c)
    rm = torch.randn(3)
    rv = torch.rand(3) + 0.5
    bn.append(case('eval_4d', lambda x, runningMean, runningVar, weight, bias: F.batch_norm(
        x, runningMean, runningVar, weight, bias, training=False, eps=1e-3),
        {'x': randn(2, 3, 2, 2), 'runningMean': rm, 'runningVar': rv, 'weight': randn(3), 'bias': randn(3)},
        {'training': False, 'eps': 1e-3}))
    rm = torch.zeros(2)
    rv = torch.ones(2)
    rm_after, rv_after = rm.clone(), rv.clone()
    bn.append(case('train_momentum_0.3_no_affine', lambda x, runningMean, runningVar: F.batch_norm(
        x, rm_after, rv_after, None, None, training=True, momentum=0.3),
        {'x': randn(3, 2, 4) * 2 + 1, 'runningMean': rm, 'runningVar': rv},
        {'training': True, 'momentum': 0.3, 'eps': 1e-5},
        extra_outputs={'runningMean': rm_after, 'runningVar': rv_after}))
    write('batchNorm', bn)

    ln = [
        case('affine_last2', lambda x, weight, bias: F.layer_norm(x, [4, 5], weight, bias, 1e-5),
             {'x': randn(3, 4, 5), 'weight': randn(4, 5), 'bias': randn(4, 5)}, {'normalizedShape': [4, 5], 'eps': 1e-5}),
        case('plain_last1', lambda x: F.layer_norm(x, [6], eps=1e-3), {'x': randn(4, 6)},
             {'normalizedShape': [6], 'eps': 1e-3}),
    ]
    write('layerNorm', ln)

    gn = [
        case('groups3_affine', lambda x, weight, bias: F.group_norm(x, 3, weight, bias, 1e-5),
             {'x': randn(2, 6, 3, 3), 'weight': randn(6), 'bias': randn(6)}, {'numGroups': 3, 'eps': 1e-5}),
        case('groups2_plain', lambda x: F.group_norm(x, 2, eps=1e-3), {'x': randn(2, 4, 5)}, {'numGroups': 2, 'eps': 1e-3}),
    ]
    write('groupNorm', gn)


def loss_cases():
    def labels(n, classes, ignore=None, every=3):
        t = torch.randint(0, classes, (n,) if isinstance(n, int) else n).to(torch.float32)
        if ignore is not None:
            flat = t.view(-1)
            flat[::every] = ignore
        return t

    def ce(**kw):
        return lambda x, target, weight=None: F.cross_entropy(x, target.long(), weight=weight, **kw)

    ce_cases = [
        case('plain', ce(), {'x': randn(6, 5), 'target': labels(6, 5)}, {}),
        case('label_smoothing', ce(label_smoothing=0.2), {'x': randn(6, 5), 'target': labels(6, 5)},
             {'labelSmoothing': 0.2}),
        case('ignore_index', ce(ignore_index=2), {'x': randn(6, 5), 'target': labels(6, 5, ignore=2)},
             {'ignoreIndex': 2}),
        case('smoothing_and_ignore', ce(label_smoothing=0.3), {'x': randn(7, 4), 'target': labels(7, 4, ignore=-100)},
             {'labelSmoothing': 0.3}),
        case('class_weights', ce(), {'x': randn(6, 5), 'target': labels(6, 5), 'weight': torch.rand(5) + 0.2}, {}),
        case('weights_smoothing_ignore', ce(label_smoothing=0.1, ignore_index=0),
             {'x': randn(8, 4), 'target': labels(8, 4, ignore=0), 'weight': torch.rand(4) + 0.2},
             {'labelSmoothing': 0.1, 'ignoreIndex': 0}),
        case('kdim_smoothing_sum', ce(label_smoothing=0.15, reduction='sum'),
             {'x': randn(2, 4, 3, 2), 'target': labels((2, 3, 2), 4, ignore=-100, every=4)},
             {'labelSmoothing': 0.15, 'reduction': 'sum'}),
        case('kdim_weights_none', ce(reduction='none'),
             {'x': randn(2, 3, 4), 'target': labels((2, 4), 3, ignore=-100, every=3), 'weight': torch.rand(3) + 0.2},
             {'reduction': 'none'}),
        case('smoothing_weights_none', ce(label_smoothing=0.25, reduction='none'),
             {'x': randn(5, 3), 'target': labels(5, 3, ignore=-100, every=2), 'weight': torch.rand(3) + 0.2},
             {'labelSmoothing': 0.25, 'reduction': 'none'}),
    ]
    write('crossEntropy', ce_cases)

    def nll(**kw):
        return lambda x, target, weight=None: F.nll_loss(x, target.long(), weight=weight, **kw)

    nll_cases = [
        case('mean', nll(), {'x': randn(5, 4), 'target': labels(5, 4)}, {}),
        case('weights_ignore_mean', nll(ignore_index=1),
             {'x': randn(6, 4), 'target': labels(6, 4, ignore=1), 'weight': torch.rand(4) + 0.2}, {'ignoreIndex': 1}),
        case('kdim_none', nll(reduction='none'), {'x': randn(2, 3, 4), 'target': labels((2, 4), 3)}, {'reduction': 'none'}),
        case('sum', nll(reduction='sum'), {'x': randn(4, 3), 'target': labels(4, 3, ignore=-100)}, {'reduction': 'sum'}),
    ]
    write('nllLoss', nll_cases)

    mse_cases = [
        case(r, lambda x, target, r=r: F.mse_loss(x, target, reduction=r), {'x': randn(3, 4), 'target': randn(3, 4)},
             {'reduction': r})
        for r in ('mean', 'sum', 'none')
    ]
    write('mseLoss', mse_cases)


def pool_cases():
    mp = [
        case('k3_s2_p1', lambda x: F.max_pool2d(x, 3, 2, 1), {'x': randn(2, 2, 7, 7)},
             {'kernelSize': 3, 'stride': 2, 'padding': 1}),
        case('k2_default_stride', lambda x: F.max_pool2d(x, 2), {'x': randn(1, 3, 6, 5)}, {'kernelSize': 2}),
        case('k2_dilation2', lambda x: F.max_pool2d(x, 2, 1, 0, 2), {'x': randn(1, 2, 6, 6)},
             {'kernelSize': 2, 'stride': 1, 'dilation': 2}),
    ]
    write('maxPool2d', mp)

    ap = [
        case('k3_s2_p1_include_pad', lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=True), {'x': randn(2, 2, 7, 7)},
             {'kernelSize': 3, 'stride': 2, 'padding': 1, 'countIncludePad': True}),
        case('k3_s2_p1_exclude_pad', lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), {'x': randn(1, 2, 7, 6)},
             {'kernelSize': 3, 'stride': 2, 'padding': 1, 'countIncludePad': False}),
        case('k2_default_stride', lambda x: F.avg_pool2d(x, 2), {'x': randn(1, 3, 4, 6)}, {'kernelSize': 2}),
    ]
    write('avgPool2d', ap)

    aap = [
        case('out_3x2', lambda x: F.adaptive_avg_pool2d(x, (3, 2)), {'x': randn(2, 3, 7, 5)}, {'outputSize': [3, 2]}),
        case('out_1', lambda x: F.adaptive_avg_pool2d(x, 1), {'x': randn(2, 3, 4, 4)}, {'outputSize': 1}),
    ]
    write('adaptiveAvgPool2d', aap)


def activation_cases():
    sm = [
        case('dim1', lambda x: F.softmax(x, 1), {'x': randn(3, 4, 5)}, {'dim': 1}),
        case('dim_last', lambda x: F.softmax(x, -1), {'x': randn(4, 6) * 3}, {'dim': -1}),
    ]
    write('softmax', sm)
    lsm = [
        case('dim1', lambda x: F.log_softmax(x, 1), {'x': randn(3, 4, 5)}, {'dim': 1}),
        case('dim_last', lambda x: F.log_softmax(x, -1), {'x': randn(4, 6) * 3}, {'dim': -1}),
    ]
    write('logSoftmax', lsm)
    gelu = [
        case('none', lambda x: F.gelu(x), {'x': randn(4, 8) * 2}, {'approximate': 'none'}),
        case('tanh', lambda x: F.gelu(x, approximate='tanh'), {'x': randn(4, 8) * 2}, {'approximate': 'tanh'}),
    ]
    write('gelu', gelu)


def late_cases():
    """Added after the first release of the fixtures: kept last so the earlier files stay byte-identical."""
    rm = torch.randn(3)
    rv = torch.rand(3) + 0.5
    rm_after, rv_after = rm.clone(), rv.clone()
    inst = [
        case('input_stats_running_update', lambda x, runningMean, runningVar, weight, bias: F.instance_norm(
            x, rm_after, rv_after, weight, bias, use_input_stats=True, momentum=0.2),
            {'x': randn(2, 3, 5), 'runningMean': rm, 'runningVar': rv, 'weight': randn(3), 'bias': randn(3)},
            {'useInputStats': True, 'momentum': 0.2, 'eps': 1e-5},
            extra_outputs={'runningMean': rm_after, 'runningVar': rv_after}),
        case('running_stats', lambda x, runningMean, runningVar: F.instance_norm(
            x, runningMean, runningVar, use_input_stats=False, eps=1e-3),
            {'x': randn(2, 2, 2, 3), 'runningMean': torch.randn(2), 'runningVar': torch.rand(2) + 0.5},
            {'useInputStats': False, 'eps': 1e-3}),
    ]
    write('instanceNorm', inst)

    emb = [
        case('repeated_indices', lambda indices, weight: F.embedding(indices.long(), weight),
             {'indices': torch.tensor([[1., 4., 1.], [0., 4., 4.]]), 'weight': randn(5, 3)}),
    ]
    write('embedding', emb)


def main():
    torch.manual_seed(24)
    os.makedirs(OUT_DIR, exist_ok=True)
    conv_cases()
    linear_cases()
    norm_cases()
    loss_cases()
    pool_cases()
    activation_cases()
    late_cases()


if __name__ == '__main__':
    main()
