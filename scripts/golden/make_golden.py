#!/usr/bin/python3
"""Golden fixtures for the TypeScript forward pass of the attention-only transformer.

An independent, plain PyTorch reference of the forward pass in docs/semantics.md §2.2
(Redwood's `attention_only_2`, TransformerLens parameter names), computed in float64 and
written out as float32.  It writes packages/core/test/fixtures/golden/{tiny,tiny-standard-noln,redwood}/.
See packages/core/test/fixtures/golden/README.md for what each file holds.

Run from the repository root (Debian's python3-torch and python3-numpy):

    /usr/bin/python3 scripts/golden/make_golden.py
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(REPO, "packages", "core", "test", "fixtures", "golden")

MASK_VALUE = -10000.0  # masked attention scores are -10000 (Redwood/RCP), not -inf


# ----------------------------------------------------------------------------------------------
# Parameter names
# ----------------------------------------------------------------------------------------------

def param_names(cfg):
    """Tensor names in the fixed order used by the hash generator (and the shapes they have)."""
    d_vocab, d_model, n_heads, d_head, n_ctx = (cfg[k] for k in ("d_vocab", "d_model", "n_heads", "d_head", "n_ctx"))
    ln = cfg["normalization_type"] == "LN"
    out = [("embed.W_E", [d_vocab, d_model]), ("pos_embed.W_pos", [n_ctx, d_model])]
    for l in range(cfg["n_layers"]):
        if ln:
            out += [(f"blocks.{l}.ln1.w", [d_model]), (f"blocks.{l}.ln1.b", [d_model])]
        out += [
            (f"blocks.{l}.attn.W_Q", [n_heads, d_model, d_head]),
            (f"blocks.{l}.attn.W_K", [n_heads, d_model, d_head]),
            (f"blocks.{l}.attn.W_V", [n_heads, d_model, d_head]),
            (f"blocks.{l}.attn.W_O", [n_heads, d_head, d_model]),
        ]
    if ln:
        out += [("ln_final.w", [d_model]), ("ln_final.b", [d_model])]
    out += [("unembed.W_U", [d_model, d_vocab])]
    return out


# ----------------------------------------------------------------------------------------------
# The forward pass (docs/semantics.md §2.2)
# ----------------------------------------------------------------------------------------------

def layer_norm(r, w, b, eps):
    """LN over the last dim with population variance; identity when the model has no LN (w is None)."""
    if w is None:
        return r
    mean = r.mean(dim=-1, keepdim=True)
    centred = r - mean
    var = (centred * centred).mean(dim=-1, keepdim=True)
    return centred / torch.sqrt(var + eps) * w + b


def forward(params, cfg, tokens, dtype=torch.float64, cache=None):
    """tokens: int64 [B, L].  Returns (logits [B, T, d_vocab], nll [B, T]) with T = L - 1, in `dtype`.

    When `cache` is a dict, TransformerLens-named activations (whole batch) are stored in it.
    """
    P = {name: t.to(dtype) for name, t in params.items()}
    ln = cfg["normalization_type"] == "LN"
    shortformer = cfg["positional_embedding_type"] == "shortformer"
    eps = cfg["eps"]
    d_head = cfg["d_head"]

    x = tokens[:, :-1]
    labels = tokens[:, 1:]
    T = x.shape[1]
    assert T <= cfg["n_ctx"]

    pos = P["pos_embed.W_pos"][:T]                      # [T, d_model]
    resid = P["embed.W_E"][x]                           # [B, T, d_model]
    if not shortformer:
        resid = resid + pos                             # standard: positions live in the residual
    mask = torch.tril(torch.ones(T, T, dtype=dtype))    # M[i, j] = 1 if j <= i

    for l in range(cfg["n_layers"]):
        w = P[f"blocks.{l}.ln1.w"] if ln else None
        b = P[f"blocks.{l}.ln1.b"] if ln else None
        n = layer_norm(resid, w, b, eps)
        qk_in = n + pos if shortformer else n           # shortformer: positions only into Q and K
        v_in = n

        q = torch.einsum("btd,hdc->bthc", qk_in, P[f"blocks.{l}.attn.W_Q"])
        k = torch.einsum("btd,hdc->bthc", qk_in, P[f"blocks.{l}.attn.W_K"])
        v = torch.einsum("btd,hdc->bthc", v_in, P[f"blocks.{l}.attn.W_V"])

        raw = torch.einsum("bihc,bjhc->bhij", q, k) / math.sqrt(d_head)
        scores = raw * mask + (1.0 - mask) * MASK_VALUE
        pattern = torch.softmax(scores, dim=-1)
        z = torch.einsum("bhij,bjhc->bihc", pattern, v)
        result = torch.einsum("bthc,hcd->bthd", z, P[f"blocks.{l}.attn.W_O"])
        resid = resid + result.sum(dim=2)

        if cache is not None:
            cache[f"blocks.{l}.attn.hook_attn_scores"] = scores
            cache[f"blocks.{l}.attn.hook_pattern"] = pattern
            cache[f"blocks.{l}.hook_resid_post"] = resid

    final = layer_norm(resid, P["ln_final.w"] if ln else None, P["ln_final.b"] if ln else None, eps)
    if cache is not None:
        cache["ln_final.hook_normalized"] = final
    logits = final @ P["unembed.W_U"]                   # [B, T, d_vocab]
    logp = torch.log_softmax(logits, dim=-1)
    nll = -logp.gather(-1, labels.unsqueeze(-1)).squeeze(-1)
    return logits, nll


def self_check(params, cfg, tokens, logits, nll, name):
    """NLL agrees with F.cross_entropy; a later token never changes earlier logits."""
    B, L = tokens.shape
    T = L - 1
    ce = F.cross_entropy(logits.reshape(B * T, -1), tokens[:, 1:].reshape(-1), reduction="none").reshape(B, T)
    d = (ce - nll).abs().max().item()
    assert d < 1e-10, f"{name}: nll vs cross_entropy differ by {d}"

    for change_at in (T // 2, T - 1):                   # index into the model input x = tokens[:, :T]
        t2 = tokens.clone()
        t2[:, change_at] = (t2[:, change_at] + 1) % cfg["d_vocab"]
        logits2, _ = forward(params, cfg, t2)
        before = (logits2[:, :change_at] - logits[:, :change_at]).abs().max().item()
        after = (logits2[:, change_at] - logits[:, change_at]).abs().max().item()
        assert before < 1e-12, f"{name}: changing x[{change_at}] moved earlier logits by {before}"
        assert after > 1e-6, f"{name}: changing x[{change_at}] did not change its own logits"
    print(f"  [{name}] self-check ok: |nll - cross_entropy| max {d:.2e}; causal mask holds")


# ----------------------------------------------------------------------------------------------
# Output helpers
# ----------------------------------------------------------------------------------------------

def write_safetensors(path, tensors, np_dtype, st_dtype):
    """Hand-written safetensors: u64 LE header length, JSON header, raw LE data in sorted-name order."""
    names = sorted(tensors)
    header = {"__metadata__": {"format": "pt"}}
    blobs = []
    offset = 0
    for name in names:
        arr = np.ascontiguousarray(tensors[name].detach().cpu().numpy().astype(np_dtype))
        raw = arr.astype(arr.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": st_dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((8 - (8 + len(hjson)) % 8) % 8)    # data section starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for raw in blobs:
            f.write(raw)


def read_safetensors(path):
    """Minimal reader, used only to check what write_safetensors wrote."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    body = data[8 + n:]
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        dt = {"F32": "<f4", "F16": "<f2"}[e["dtype"]]
        b, end = e["data_offsets"]
        out[name] = np.frombuffer(body[b:end], dtype=dt).reshape(e["shape"])
    return out


def fmt(x):
    """Nested JSON list text of float32 values, each in the shortest text that round-trips float32."""
    a = np.asarray(x, dtype=np.float32)
    assert np.isfinite(a).all()
    if a.ndim == 0:
        return str(a[()])                               # numpy float32 str = shortest round-trip repr
    if a.ndim == 1:
        return "[" + ",".join(str(v) for v in a) + "]"
    return "[" + ",\n".join(fmt(row) for row in a) + "]"


def write_json_text(path, fields):
    """fields: list of (key, already-serialised JSON text)."""
    with open(path, "w") as f:
        f.write("{\n" + ",\n".join(f"{json.dumps(k)}: {v}" for k, v in fields) + "\n}\n")


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def tokens_text(tokens):
    return "[" + ",\n".join("[" + ",".join(str(int(t)) for t in row) + "]" for row in tokens) + "]\n"


def f32_vs_f64(params, cfg, tokens, logits64, nll64):
    """How far a pure float32 run of the same forward lands from the float64 reference."""
    logits32, nll32 = forward(params, cfg, tokens, dtype=torch.float32)
    return {
        "logits_max_abs": float((logits32.double() - logits64).abs().max()),
        "nll_max_abs": float((nll32.double() - nll64).abs().max()),
    }


# ----------------------------------------------------------------------------------------------
# Tiny random models
# ----------------------------------------------------------------------------------------------

def tiny_params(cfg, seed):
    g = torch.Generator().manual_seed(seed)

    def randn(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float32)

    p = {}
    for name, shape in param_names(cfg):
        if name == "embed.W_E" or name == "pos_embed.W_pos":
            p[name] = randn(*shape)
        elif name.endswith(".w"):
            p[name] = 1.0 + 0.1 * randn(*shape)
        elif name.endswith(".b"):
            p[name] = 0.1 * randn(*shape)
        elif name.endswith("W_O"):
            p[name] = randn(*shape) / math.sqrt(cfg["n_heads"] * cfg["d_head"])
        else:  # W_Q, W_K, W_V, W_U: fan_in d_model
            p[name] = randn(*shape) / math.sqrt(cfg["d_model"])
    return p


def make_tiny(dirname, cfg, seed, with_f16, with_cache):
    d = os.path.join(OUT, dirname)
    os.makedirs(d, exist_ok=True)
    params = tiny_params(cfg, seed)

    g = torch.Generator().manual_seed(seed + 1)
    tokens = torch.randint(0, cfg["d_vocab"], (3, cfg["n_ctx"] + 1), generator=g)
    V = cfg["d_vocab"]
    tokens[0, 0] = 0
    tokens[0, 5] = V - 1
    tokens[1, 20] = 0          # as a label only
    tokens[2, 0] = V - 1
    tokens[2, 11] = 0
    tokens[2, 12] = V - 1
    tokens[1, 11:21] = tokens[1, 1:11]  # a repeated half, for a little induction-like structure

    write_json(os.path.join(d, "config.json"), cfg)
    write_safetensors(os.path.join(d, "model.safetensors"), params, np.float32, "F32")
    back = read_safetensors(os.path.join(d, "model.safetensors"))
    assert sorted(back) == sorted(params)
    for k in params:
        assert np.array_equal(back[k], params[k].numpy()), k
    with open(os.path.join(d, "tokens.json"), "w") as f:
        f.write(tokens_text(tokens))

    cache = {} if with_cache else None
    logits, nll = forward(params, cfg, tokens, cache=cache)
    self_check(params, cfg, tokens, logits, nll, dirname)
    delta = f32_vs_f64(params, cfg, tokens, logits, nll)
    print(f"  [{dirname}] float32 run vs float64 reference: {delta}")
    write_json_text(os.path.join(d, "expected.json"), [
        ("logits", fmt(logits)),
        ("nll", fmt(nll)),
        ("meta", json.dumps({"reference_dtype": "float64, written as float32",
                             "float32_forward_vs_reference": delta})),
    ])

    if with_cache:
        write_json_text(os.path.join(d, "cache.json"), [
            (k, fmt(cache[k][0])) for k in (
                "blocks.0.attn.hook_pattern",        # [n_heads, T, T]
                "blocks.1.attn.hook_attn_scores",    # [n_heads, T, T]
                "blocks.0.hook_resid_post",          # [T, d_model]
                "ln_final.hook_normalized",          # [T, d_model]
            )
        ])

    if with_f16:
        params16 = {k: v.half().float() for k, v in params.items()}  # round-to-nearest-even to F16
        write_safetensors(os.path.join(d, "model.f16.safetensors"), params16, np.float16, "F16")
        back = read_safetensors(os.path.join(d, "model.f16.safetensors"))
        for k in params16:
            assert np.array_equal(back[k].astype(np.float32), params16[k].numpy()), k
        logits16, nll16 = forward(params16, cfg, tokens)
        self_check(params16, cfg, tokens, logits16, nll16, dirname + " f16")
        shift = float((logits16 - logits).abs().max())
        print(f"  [{dirname}] f16 weights move logits by up to {shift:.3e} (expected.f16 vs expected)")
        write_json_text(os.path.join(d, "expected.f16.json"), [
            ("logits", fmt(logits16)),
            ("nll", fmt(nll16)),
            ("meta", json.dumps({"weights": "model.f16.safetensors (F16), reference in float64",
                                 "logits_max_abs_vs_expected_json": shift})),
        ])


# ----------------------------------------------------------------------------------------------
# Redwood-shaped model with hash-generated weights (spec in the fixture README)
# ----------------------------------------------------------------------------------------------

MASK32 = np.uint64(0xFFFFFFFF)


def hash_u(k, n):
    """u in [-0.5, 0.5) for elements i = 0..n-1 of the k-th tensor (float64, exact)."""
    i = np.arange(n, dtype=np.uint64)
    h = (i * np.uint64(0x9E3779B1) + np.uint64(((k + 1) * 0x85EBCA77) & 0xFFFFFFFF)) & MASK32
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x85EBCA6B)) & MASK32
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(0xC2B2AE35)) & MASK32
    h ^= h >> np.uint64(16)
    return h.astype(np.float64) / 4294967296.0 - 0.5


def hash_uint32_scalar(k, i):
    """Same hash in plain Python ints, to cross-check the vectorised version."""
    h = (i * 0x9E3779B1 + (k + 1) * 0x85EBCA77) % 2**32
    h ^= h >> 16
    h = (h * 0x85EBCA6B) % 2**32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) % 2**32
    h ^= h >> 16
    return h


def generator_spec(cfg):
    spec = []
    for k, (name, shape) in enumerate(param_names(cfg)):
        if name.endswith(".w"):
            kind, scale = "ln_w", 0.2
        elif name.endswith(".b"):
            kind, scale = "ln_b", 0.2
        elif name in ("embed.W_E", "pos_embed.W_pos"):
            kind, scale = "uniform", 2.0
        elif name.endswith("W_O"):
            kind, scale = "uniform", 2 * math.sqrt(3) / math.sqrt(cfg["d_head"])
        else:  # W_Q, W_K, W_V, W_U: fan_in d_model
            kind, scale = "uniform", 2 * math.sqrt(3) / math.sqrt(cfg["d_model"])
        spec.append({"k": k, "name": name, "shape": shape, "kind": kind, "scale": scale})
    return spec


def hash_tensor(entry):
    n = int(np.prod(entry["shape"]))
    u = hash_u(entry["k"], n)
    s = entry["scale"]
    vals = 1.0 + s * u if entry["kind"] == "ln_w" else s * u   # float64 arithmetic, then one rounding
    return torch.from_numpy(vals.astype(np.float32).reshape(entry["shape"]))


def make_redwood():
    d = os.path.join(OUT, "redwood")
    os.makedirs(d, exist_ok=True)
    cfg = {
        "n_layers": 2, "d_model": 256, "n_heads": 8, "d_head": 32, "d_vocab": 50259, "n_ctx": 2048,
        "positional_embedding_type": "shortformer", "normalization_type": "LN", "eps": 1e-5, "attn_only": True,
    }
    spec = generator_spec(cfg)
    params = {e["name"]: hash_tensor(e) for e in spec}

    # cross-check the vectorised hash against plain Python ints, including large i (> 2^21, where
    # i * 0x9E3779B1 no longer fits a float64 exactly)
    for e in spec:
        n = int(np.prod(e["shape"]))
        for i in sorted({0, 1, 2, 7, n // 3, n - 1}):
            h = hash_uint32_scalar(e["k"], i)
            u = h / 2**32 - 0.5
            v = np.float32(1.0 + e["scale"] * u if e["kind"] == "ln_w" else e["scale"] * u)
            assert params[e["name"]].reshape(-1)[i].item() == float(v), (e["name"], i)
        if e["kind"] == "uniform":
            std = params[e["name"]].double().std().item()
            assert abs(std - e["scale"] / math.sqrt(12)) < 0.02 * e["scale"], (e["name"], std)

    g = torch.Generator().manual_seed(2024)
    tokens = torch.randint(0, cfg["d_vocab"], (2, 301), generator=g)
    tokens[:, 0] = 50257                   # [BEGIN]-like first token
    tokens[0, 17] = 0
    tokens[0, 150] = 50258
    tokens[0, 300] = 0                     # as the last label
    tokens[1, 151:301] = tokens[1, 1:151]  # second half repeats the first: induction-friendly
    tokens[1, 40] = 50258
    tokens[1, 190] = 50258
    tokens[1, 99] = 0
    for t in (0, 50257, 50258):
        assert (tokens == t).any()

    write_json(os.path.join(d, "config.json"), cfg)
    write_json(os.path.join(d, "generator.json"), {
        "description": "hash-generated weights; see README.md. Tensor k (0-based, this order), element i (row-major): "
                       "h = fmix32(uint32(i*0x9E3779B1 + (k+1)*0x85EBCA77)); u = h/2^32 - 0.5; "
                       "uniform: f32(scale*u); ln_w: f32(1 + scale*u); ln_b: f32(scale*u) (float64 arithmetic, one rounding)",
        "tensors": spec,
    })
    with open(os.path.join(d, "tokens.json"), "w") as f:
        f.write(tokens_text(tokens))

    logits, nll = forward(params, cfg, tokens)
    self_check(params, cfg, tokens, logits, nll, "redwood")
    delta = f32_vs_f64(params, cfg, tokens, logits, nll)
    print(f"  [redwood] float32 run vs float64 reference: {delta}")
    print(f"  [redwood] mean nll {nll.mean().item():.4f} (uniform over vocab would be {math.log(50259):.4f}); "
          f"logit std {logits.std().item():.3f}")

    def checks(sel):
        return "{\n" + ",\n".join(f"{json.dumps(e['name'])}: {fmt(sel(params[e['name']].reshape(-1)))}"
                                  for e in spec) + "}"

    sums = {e["name"]: float(params[e["name"]].double().sum()) for e in spec}
    write_json_text(os.path.join(d, "expected.json"), [
        ("nll", fmt(nll)),                                  # [2, 300]
        ("logits_head", fmt(logits[:, :, :64])),            # [2, 300, 64]
        ("logits_last", fmt(logits[0, 299, :])),            # [50259]
        ("checks", checks(lambda v: v[:8])),                # first 8 generated values per tensor
        ("checks_tail", checks(lambda v: v[-8:])),          # last 8 generated values per tensor
        ("sums", json.dumps(sums, indent=1)),               # float64 sum of the float32 values per tensor
        ("meta", json.dumps({"reference_dtype": "float64, written as float32",
                             "float32_forward_vs_reference": delta,
                             "mean_nll": nll.mean().item()})),
    ])


def main():
    torch.set_num_threads(max(1, min(8, os.cpu_count() or 1)))
    print(f"torch {torch.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}")
    base = {"n_layers": 2, "d_model": 16, "n_heads": 2, "d_head": 8, "d_vocab": 50, "n_ctx": 20, "eps": 1e-5,
            "attn_only": True}
    make_tiny("tiny", {**base, "positional_embedding_type": "shortformer", "normalization_type": "LN"},
              seed=1234, with_f16=True, with_cache=True)
    make_tiny("tiny-standard-noln", {**base, "positional_embedding_type": "standard", "normalization_type": None},
              seed=5678, with_f16=False, with_cache=False)
    make_redwood()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
