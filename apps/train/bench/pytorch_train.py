"""Training throughput of apps/train's presets rebuilt in PyTorch (CPU), for bench/compare-pytorch.ts.

Same layers, shapes, padding values, batch, optimizer (Adam) and loss as the onebit presets: binary
kernels through a straight-through sign, weights clipped to [-1, 1] after each step, BatchNorm with
Keras' momentum and epsilon. Prints one JSON line: {"network", "threads", "steps", "wall", "cpu"}.

Usage: python3 pytorch_train.py NETWORK WIDTH THREADS CPU_SECONDS
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SteSign(torch.autograd.Function):
    """sign(x) with sign(0) = +1; gradient g·1{|x| <= 1} (Larq's ste_sign)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x.abs() <= 1).to(g.dtype)


sign = SteSign.apply


def bn(c, dims):
    # Keras defaults: momentum 0.99 (PyTorch's 0.01), epsilon 1e-3.
    return (nn.BatchNorm2d if dims == 2 else nn.BatchNorm1d)(c, eps=1e-3, momentum=0.01)


class BinaryConv(nn.Module):
    """Binary kernel (latent U(-1, 1)), optional sign input, padding with a value (one-padding)."""

    def __init__(self, cin, cout, k, stride=1, pad=0, pad_value=1.0, binary_input=True):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(cout, cin, k, k).uniform_(-1, 1))
        self.stride, self.pad, self.pad_value, self.binary_input = stride, pad, pad_value, binary_input

    def forward(self, x):
        if self.binary_input:
            x = sign(x)
        if self.pad:
            x = F.pad(x, (self.pad,) * 4, value=self.pad_value)
        return F.conv2d(x, sign(self.weight), stride=self.stride)


class BinaryDense(nn.Module):
    def __init__(self, cin, cout, binary_input=True):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(cout, cin).uniform_(-1, 1))
        self.binary_input = binary_input

    def forward(self, x):
        return F.linear(sign(x) if self.binary_input else x, sign(self.weight))


def scaled(n, width):
    return max(1, round(n * width))


def build(network, width):
    if network == "mnist-tiny":
        a, b, h = scaled(16, width), scaled(32, width), scaled(128, width)
        return nn.Sequential(
            BinaryConv(1, a, 5, stride=2, binary_input=False), bn(a, 2),
            BinaryConv(a, b, 3), bn(b, 2), nn.MaxPool2d(2), nn.Flatten(),
            BinaryDense(5 * 5 * b, h), bn(h, 1), BinaryDense(h, 10), bn(10, 1),
        )
    if network == "mnist-mlp":
        u = scaled(1024, width)
        return nn.Sequential(
            nn.Flatten(), BinaryDense(784, u, binary_input=False), bn(u, 1),
            BinaryDense(u, u), bn(u, 1), BinaryDense(u, u), bn(u, 1), BinaryDense(u, 10), bn(10, 1),
        )
    if network == "mnist-conv":
        a, b = scaled(64, width), scaled(128, width)
        return nn.Sequential(
            BinaryConv(1, a, 3, pad=1, pad_value=-1.0, binary_input=False), bn(a, 2),
            BinaryConv(a, a, 3, pad=1), bn(a, 2), nn.MaxPool2d(2),
            BinaryConv(a, b, 3, pad=1), bn(b, 2), BinaryConv(b, b, 3, pad=1), bn(b, 2), nn.MaxPool2d(2),
            nn.Flatten(), BinaryDense(7 * 7 * b, 512), bn(512, 1), BinaryDense(512, 10), bn(10, 1),
        )
    raise SystemExit(f"unknown network {network}")


def main():
    network, width, threads, seconds = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = build(network, width)
    binary = [m.weight for m in model.modules() if isinstance(m, (BinaryConv, BinaryDense))]
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(100, 1, 28, 28) * 2 - 1
    y = torch.randint(0, 10, (100,))

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()
        with torch.no_grad():
            for w in binary:
                w.clamp_(-1, 1)

    for _ in range(3):
        step()
    steps, wall0, cpu0 = 0, time.perf_counter(), time.process_time()
    # A budget of process CPU time, not wall time: the machine may be shared.
    while time.process_time() - cpu0 < seconds or steps < 3:
        step()
        steps += 1
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    print(json.dumps({"network": network, "threads": threads, "steps": steps, "wall": wall, "cpu": cpu}))


if __name__ == "__main__":
    main()
