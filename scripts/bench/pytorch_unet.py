#!/usr/bin/env python3
"""PyTorch reference for `npm run -s bench`: the same DDPM U-Net, the same training step, one core.

Issue 12 asks for tfjs-wasm's training GFLOP/s against PyTorch's "on the same core in the same
run". This mirrors src/model (architecture.ts, layers/*.ts) layer for layer -- conv_in, res blocks
(GroupNorm+SiLU, 3x3 conv, time/class embedding added, GroupNorm+SiLU, dropout, 3x3 conv, 1x1 skip
when the width changes), single-head attention with a fused qkv, stride-2 conv downsampling,
nearest x2 + conv upsampling, the mid res-attn-res, GroupNorm+SiLU+conv_out -- and times the step
the tfjs bench times (src/engine/bench/trainStep.ts): L_simple on ε, global-norm clip 1, Adam.
The parameter count and the analytic FLOPs are printed so they can be checked against the tfjs
bench line (`params`, `flopsPerImage`).

Needs PyTorch (Debian: apt-get install -y python3-torch). Not run by CI.
Usage: python3 scripts/bench/pytorch_unet.py [--preset mnist/small] [--batch 64] [--threads 1]
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# The presets of src/model/presets.ts that the bench compares (no patching in these).
PRESETS = {
    "mnist/tiny": dict(size=28, in_ch=1, classes=10, base=8, mults=[1, 2], res=1, attn=[14], groups=4, dropout=0.0),
    "mnist/small": dict(size=28, in_ch=1, classes=10, base=32, mults=[1, 2, 2], res=1, attn=[7], groups=8, dropout=0.1),
    "cifar10/small": dict(size=32, in_ch=3, classes=10, base=32, mults=[1, 2, 2, 2], res=1, attn=[8], groups=8, dropout=0.1),
}


def timestep_embedding(t, dim):
    # src/diffusion/embedding.ts (Ho et al.'s get_timestep_embedding): sin | cos.
    half = dim // 2
    freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32) / (half - 1))
    args = t.float()[:, None] * freqs[None]
    return torch.cat([torch.sin(args), torch.cos(args)], dim=1)


class ResBlock(nn.Module):
    def __init__(self, cin, cout, temb, groups, dropout):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin, eps=1e-5)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.temb_proj = nn.Linear(temb, cout)
        self.norm2 = nn.GroupNorm(groups, cout, eps=1e-5)
        self.drop = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, emb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.temb_proj(F.silu(emb))[:, :, None, None]
        h = self.conv2(self.drop(F.silu(self.norm2(h))))
        return (self.skip(x) if self.skip is not None else x) + h


class Attention(nn.Module):
    def __init__(self, c, groups):
        super().__init__()
        self.norm = nn.GroupNorm(groups, c, eps=1e-5)
        self.qkv = nn.Linear(c, 3 * c)
        self.proj = nn.Linear(c, c)

    def forward(self, x):
        b, c, h, w = x.shape
        n = self.norm(x).reshape(b, c, h * w).transpose(1, 2)
        q, k, v = self.qkv(n).chunk(3, dim=2)
        a = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(c), dim=2)
        out = self.proj(a @ v).transpose(1, 2).reshape(b, c, h, w)
        return x + out


class UNet(nn.Module):
    def __init__(self, p):
        super().__init__()
        base, mults, groups = p["base"], p["mults"], p["groups"]
        temb = 4 * base
        self.base, self.classes = base, p["classes"]
        self.temb0 = nn.Linear(base, temb)
        self.temb1 = nn.Linear(temb, temb)
        self.class_emb = nn.Embedding(p["classes"] + 1, temb)
        self.conv_in = nn.Conv2d(p["in_ch"], base, 3, padding=1)
        sizes = [p["size"]]
        for _ in mults[1:]:
            sizes.append(math.ceil(sizes[-1] / 2))
        self.down, skips, ch = nn.ModuleList(), [base], base
        for level, m in enumerate(mults):
            for _ in range(p["res"]):
                attn = Attention(base * m, groups) if sizes[level] in p["attn"] else None
                self.down.append(nn.ModuleList([ResBlock(ch, base * m, temb, groups, p["dropout"]), attn or nn.Identity()]))
                ch = base * m
                skips.append(ch)
            if level != len(mults) - 1:
                self.down.append(nn.Conv2d(ch, ch, 3, stride=2, padding=1))
                skips.append(ch)
        self.mid = nn.ModuleList([ResBlock(ch, ch, temb, groups, p["dropout"]), Attention(ch, groups),
                                  ResBlock(ch, ch, temb, groups, p["dropout"])])
        self.up = nn.ModuleList()
        self.up_sizes = []
        for level in reversed(range(len(mults))):
            for _ in range(p["res"] + 1):
                skip = skips.pop()
                attn = Attention(base * mults[level], groups) if sizes[level] in p["attn"] else None
                self.up.append(nn.ModuleList([ResBlock(ch + skip, base * mults[level], temb, groups, p["dropout"]), attn or nn.Identity()]))
                ch = base * mults[level]
            if level != 0:
                self.up.append(nn.Conv2d(ch, ch, 3, padding=1))
                self.up_sizes.append(sizes[level - 1])
        self.norm_out = nn.GroupNorm(groups, ch, eps=1e-5)
        self.conv_out = nn.Conv2d(ch, p["in_ch"], 3, padding=1)

    def forward(self, x, t, y):
        emb = self.temb1(F.silu(self.temb0(timestep_embedding(t, self.base)))) + self.class_emb(y)
        h = self.conv_in(x)
        hs = [h]
        for m in self.down:
            h = m(h) if isinstance(m, nn.Conv2d) else m[1](m[0](h, emb))
            hs.append(h)
        h = self.mid[2](self.mid[1](self.mid[0](h, emb)), emb)
        ups = iter(self.up_sizes)
        for m in self.up:
            if isinstance(m, nn.Conv2d):
                size = next(ups)
                h = m(F.interpolate(h, size=(size, size), mode="nearest"))
            else:
                h = m[1](m[0](torch.cat([h, hs.pop()], dim=1), emb))
        return self.conv_out(F.silu(self.norm_out(h)))


def count_flops(model, x, t, y):
    """2 x multiply-adds of convs, linears and the two attention matMuls (as src/model/flops.ts)."""
    total = [0]

    def conv_hook(m, inp, out):
        total[0] += 2 * out.numel() // out.shape[0] * m.in_channels * m.kernel_size[0] * m.kernel_size[1]

    def linear_hook(m, inp, out):
        total[0] += 2 * out.numel() // out.shape[0] * m.in_features

    def attn_hook(m, inp, out):
        _, c, h, w = inp[0].shape
        total[0] += 2 * 2 * (h * w) ** 2 * c

    hooks = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
        elif isinstance(m, Attention):
            hooks.append(m.register_forward_hook(attn_hook))
    with torch.no_grad():
        model(x[:1], t[:1], y[:1])
    for h in hooks:
        h.remove()
    return total[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="mnist/small", choices=sorted(PRESETS))
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    p = PRESETS[a.preset]
    model = UNet(p)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    x0 = torch.rand(a.batch, p["in_ch"], p["size"], p["size"]) * 2 - 1
    t = torch.randint(0, 1000, (a.batch,))
    y = torch.randint(0, p["classes"] + 1, (a.batch,))
    flops = count_flops(model, x0, t, y)

    def forward():
        with torch.no_grad():
            model.eval()
            out = model(x0, t, y)
            return float(out[0, 0, 0, 0])  # the read-back the tfjs bench does

    def step():
        model.train()
        noise = torch.randn_like(x0)
        loss = F.mse_loss(model(x0 + noise, t, y), noise)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return float(loss)

    def median_ms(fn):
        for _ in range(a.warmup):
            fn()
        times = []
        for _ in range(a.steps):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000)
        return statistics.median(times)

    forward_ms = median_ms(forward)
    step_ms = median_ms(step)
    print(json.dumps({
        "backend": f"pytorch-cpu {torch.__version__}",
        "threads": torch.get_num_threads(),
        "preset": a.preset,
        "batch": a.batch,
        "params": sum(q.numel() for q in model.parameters()),
        "flopsPerImage": flops,
        "forwardMs": round(forward_ms, 1),
        "trainStepMs": round(step_ms, 1),
        "stepsPerForward": round(step_ms / forward_ms, 2),
        "trainGflops": round(3 * flops * a.batch / (step_ms * 1e6), 2),
    }))


if __name__ == "__main__":
    main()
