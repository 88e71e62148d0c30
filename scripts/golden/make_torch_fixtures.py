#!/usr/bin/python3
"""Tiny PyTorch checkpoint fixtures in exactly the format of the original model's files.

The original files (docs/semantics.md §2.4, §3) are
  - `et_model_state_dict.pt` (HF ArthurConmy/redwood_attn_2l): `torch.save(model.state_dict())` of a
    TransformerLens (then "EasyTransformer") HookedTransformer, attention-only, shortformer, LN, with the
    `blocks.{l}.attn.mask` (bool) / `blocks.{l}.attn.IGNORE` buffers and all-zero `b_Q/b_K/b_V/b_O/b_U`;
  - `validation_data.pt` (same HF repo): a bare integer tensor [rows, 301] of token ids, each row
    starting with [BEGIN] (ACDC reads it with `torch.load(...).long()`);
  - `remix_d3_data/induction_candidates.pt` (GitHub redwoodresearch/remix_public): a bare float32 0/1
    vector over the vocabulary.

Here the same three files are written for a tiny model (d_model 16, 8 heads of 4, vocab 259 = 257 "GPT-2"
ids + [BEGIN] 257 + [END] 258, n_ctx 32) by real PyTorch: the model is an nn.Module with TransformerLens'
module tree, so `state_dict()` has TransformerLens' key names, order, dtypes and `_metadata`. Beside them:
  - expected.json: config, BEGIN id, the data rows and candidate ids as plain JSON, and the logits of a
    TransformerLens-style forward pass (float64 from the float32 weights) for the first rows;
  - state_dict.bin + state_dict.json: every state-dict tensor's raw little-endian bytes, to check the
    TypeScript reader bit for bit without going through a .pt file;
  - dtypes.pt / dtypes_p4.pt / dtypes.json: one tensor per dtype, a non-contiguous view and a view into a
    shared storage, an empty and a 0-d tensor (pickle protocol 2, as torch.save writes by default, and 4);
  - newer_format.pt: validation_data.pt rewritten as torch >= 2.1 writes zips (`archive/` prefix,
    `byteorder`, `.data/serialization_id`);
  - bad/: files that must be rejected, each with a clear error (see README.md there).

Run from the repository root with Debian's python3-torch (1.13) and python3-numpy:

    /usr/bin/python3 scripts/golden/make_torch_fixtures.py

Deterministic: the weights and tokens come from seeded generators and the zip entries get a fixed date,
so two runs write the same bytes.

With `--full-size DIR` it instead writes (not for committing: ~120 MB) the three files at redwood_attn_2l's
real size (vocab 50259, d_model 256, 8 heads of 32, n_ctx 2048) for a random model, 64 rows × 301 tokens
starting with [BEGIN] = 50258 (RCP's convention, the other one), a random candidate vector, and PyTorch's
logits for two rows (`expected_logits.bin`, float32 [2, 40, 50259], with `expected_full.json`). The opt-in
test in packages/importer/test/import-redwood.test.ts imports them when ISC_REDWOOD_FULL_SIZE_DIR=DIR is set.
"""
import io
import json
import math
import os
import sys
import zipfile
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(REPO, "packages", "importer", "test", "fixtures", "torch")

CFG = {
    "n_layers": 2,
    "d_model": 16,
    "n_heads": 8,
    "d_head": 4,
    "d_vocab": 259,
    "n_ctx": 32,
    "positional_embedding_type": "shortformer",
    "normalization_type": "LN",
    "eps": 1e-5,
}
BEGIN = 257          # INTERP's convention ([BEGIN] = d_vocab - 2); the importer detects it from the rows
ROWS, WIDTH = 12, 21  # data rows; the seed's rows are 301 wide
LOGIT_ROWS = 2


# ----------------------------------------------------------------------------------------------
# A module tree with TransformerLens' names, so state_dict() is what TransformerLens saves
# ----------------------------------------------------------------------------------------------

class Embed(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.W_E = nn.Parameter(torch.empty(c["d_vocab"], c["d_model"]))


class PosEmbed(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.W_pos = nn.Parameter(torch.empty(c["n_ctx"], c["d_model"]))


class LayerNorm(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.w = nn.Parameter(torch.ones(c["d_model"]))
        self.b = nn.Parameter(torch.zeros(c["d_model"]))


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, d, k = c["n_heads"], c["d_model"], c["d_head"]
        self.W_Q = nn.Parameter(torch.empty(h, d, k))
        self.W_K = nn.Parameter(torch.empty(h, d, k))
        self.W_V = nn.Parameter(torch.empty(h, d, k))
        self.W_O = nn.Parameter(torch.empty(h, k, d))
        self.b_Q = nn.Parameter(torch.zeros(h, k))
        self.b_K = nn.Parameter(torch.zeros(h, k))
        self.b_V = nn.Parameter(torch.zeros(h, k))
        self.b_O = nn.Parameter(torch.zeros(d))
        # As in EasyTransformer / TransformerLens: a bool causal mask over n_ctx and the fill value.
        self.register_buffer("mask", torch.tril(torch.ones((c["n_ctx"], c["n_ctx"])).bool()))
        self.register_buffer("IGNORE", torch.tensor(-1e5))


class TransformerBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln1 = LayerNorm(c)
        self.attn = Attention(c)


class Unembed(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.W_U = nn.Parameter(torch.empty(c["d_model"], c["d_vocab"]))
        self.b_U = nn.Parameter(torch.zeros(c["d_vocab"]))


class AttnOnlyTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed = Embed(c)
        self.pos_embed = PosEmbed(c)
        self.blocks = nn.ModuleList([TransformerBlock(c) for _ in range(c["n_layers"])])
        self.ln_final = LayerNorm(c)
        self.unembed = Unembed(c)


def init_weights(model, c, gen):
    """Random weights large enough that attention is far from uniform (so the test is not vacuous)."""
    d = c["d_model"]
    with torch.no_grad():
        for name, p in model.named_parameters():
            leaf = name.rsplit(".", 1)[1]
            if leaf.startswith("b_"):
                continue                                 # the original model has no biases: zeros
            if leaf == "w":
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=gen))
            elif leaf == "b":
                p.copy_(0.2 * torch.randn(p.shape, generator=gen))
            elif leaf in ("W_Q", "W_K"):
                p.copy_(torch.randn(p.shape, generator=gen) * (2.0 / math.sqrt(d)))
            else:
                p.copy_(torch.randn(p.shape, generator=gen) * (1.0 / math.sqrt(d)))


# ----------------------------------------------------------------------------------------------
# TransformerLens' forward pass (shortformer, LN, attn-only), float64
# ----------------------------------------------------------------------------------------------

def layer_norm(x, w, b, eps):
    x = x - x.mean(-1, keepdim=True)
    scale = (x.pow(2).mean(-1, keepdim=True) + eps).sqrt()
    return x / scale * w + b


def tl_forward(sd, c, tokens, dtype=torch.float64):
    """tokens: int64 [B, T] model inputs. Returns logits [B, T, d_vocab] in `dtype`.

    Follows TransformerLens: residual = W_E[tokens] only; in each block the positional embedding is added
    after ln1 to the query and key inputs; scores / sqrt(d_head) where the `mask` buffer is False become
    the `IGNORE` buffer; biases are added (they are zero); logits = ln_final(resid) @ W_U + b_U.
    """
    P = {k: v.to(dtype) for k, v in sd.items()}
    T = tokens.shape[1]
    pos = P["pos_embed.W_pos"][:T]
    resid = P["embed.W_E"][tokens]
    for l in range(c["n_layers"]):
        a = f"blocks.{l}.attn."
        n = layer_norm(resid, P[f"blocks.{l}.ln1.w"], P[f"blocks.{l}.ln1.b"], c["eps"])
        qk_in = n + pos
        q = torch.einsum("btd,hdc->bthc", qk_in, P[a + "W_Q"]) + P[a + "b_Q"]
        k = torch.einsum("btd,hdc->bthc", qk_in, P[a + "W_K"]) + P[a + "b_K"]
        v = torch.einsum("btd,hdc->bthc", n, P[a + "W_V"]) + P[a + "b_V"]
        scores = torch.einsum("bihc,bjhc->bhij", q, k) / math.sqrt(c["d_head"])
        mask = sd[a + "mask"][:T, :T]
        scores = torch.where(mask, scores, P[a + "IGNORE"])
        pattern = torch.softmax(scores, dim=-1)
        z = torch.einsum("bhij,bjhc->bihc", pattern, v)
        resid = resid + torch.einsum("bthc,hcd->btd", z, P[a + "W_O"]) + P[a + "b_O"]
    final = layer_norm(resid, P["ln_final.w"], P["ln_final.b"], c["eps"])
    return final @ P["unembed.W_U"] + P["unembed.b_U"]


# ----------------------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------------------

FIXED_DATE = (2023, 1, 29, 0, 0, 0)


def save_torch(obj, path, **kw):
    """torch.save, then the zip re-stamped with a fixed date so reruns are byte-identical."""
    buf = io.BytesIO()
    torch.save(obj, buf, **kw)
    raw = buf.getvalue()
    if raw[:2] != b"PK":                                 # legacy (non-zip) format: nothing to stamp
        with open(path, "wb") as f:
            f.write(raw)
        return
    # torch.save to a buffer names the archive "archive"; to a path it uses the file's stem, as in the
    # originals (e.g. "induction_candidates/data.pkl"). Mimic the path behaviour.
    stem = os.path.splitext(os.path.basename(path))[0]
    rezip(raw, path, rename=lambda n: stem + n[len("archive"):] if n.startswith("archive/") else n)


def rezip(raw, path, rename=lambda n: n, drop=(), extra=(), replace=None):
    """Copies a zip entry by entry (stored, fixed date), optionally renaming, dropping, adding or replacing."""
    src = zipfile.ZipFile(io.BytesIO(raw))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            name = rename(info.filename)
            if name in drop:
                continue
            data = src.read(info.filename)
            if replace and name in replace:
                data = replace[name]
            dst.writestr(zipfile.ZipInfo(name, FIXED_DATE), data)
        for name, data in extra:
            dst.writestr(zipfile.ZipInfo(name, FIXED_DATE), data)


def torch_zip_bytes(obj, **kw):
    buf = io.BytesIO()
    torch.save(obj, buf, **kw)
    return buf.getvalue()


def fmt(x):
    """Nested JSON list text of float32 values in the shortest text that round-trips float32."""
    a = np.asarray(x, dtype=np.float32)
    if a.ndim == 1:
        return "[" + ",".join(str(v) for v in a) + "]"
    return "[" + ",\n".join(fmt(row) for row in a) + "]"


def write_raw_tensors(sd, bin_path, json_path):
    """Every tensor's bytes in its own dtype, little-endian, C order, one after another."""
    manifest = OrderedDict()
    offset = 0
    with open(bin_path, "wb") as f:
        for name, t in sd.items():
            arr = t.detach().contiguous().numpy()
            raw = arr.astype(arr.dtype.newbyteorder("<")).tobytes()
            manifest[name] = {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "offset": offset, "bytes": len(raw)}
            f.write(raw)
            offset += len(raw)
    with open(json_path, "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


class Evil:
    """Pickles as a call of `fn(*args)`: what a malicious .pt file looks like."""

    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return (self.fn, self.args)


def full_size(out):
    """A random model of redwood_attn_2l's exact format and size, written as the original files are."""
    c = dict(CFG, d_model=256, n_heads=8, d_head=32, d_vocab=50259, n_ctx=2048)
    begin = 50258
    os.makedirs(out, exist_ok=True)
    gen = torch.Generator().manual_seed(2048)
    model = AttnOnlyTransformer(c)
    init_weights(model, c, gen)
    sd = model.state_dict()
    torch.save(sd, os.path.join(out, "et_model_state_dict.pt"))
    data = torch.randint(0, 50257, (64, 301), generator=gen, dtype=torch.int64)
    data[:, 150:250] = data[:, 20:120]
    data[:, 0] = begin
    torch.save(data, os.path.join(out, "validation_data.pt"))
    cand = (torch.rand(c["d_vocab"], generator=gen) < 0.2).float()
    cand[50257:] = 0
    torch.save(cand, os.path.join(out, "induction_candidates.pt"))
    tokens = data[:2, :41]
    with torch.no_grad():
        logits = tl_forward(sd, c, tokens[:, :-1]).float()
    logits.numpy().astype("<f4").tofile(os.path.join(out, "expected_logits.bin"))
    with open(os.path.join(out, "expected_full.json"), "w") as f:
        json.dump({"config": c, "begin_id": begin, "tokens": tokens.tolist(), "logits_shape": list(logits.shape)}, f)
    print(f"wrote {out}")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--full-size":
        full_size(sys.argv[2])
        return
    os.makedirs(os.path.join(OUT, "bad"), exist_ok=True)
    gen = torch.Generator().manual_seed(20230129)

    # --- the model -------------------------------------------------------------------------------
    model = AttnOnlyTransformer(CFG)
    init_weights(model, CFG, gen)
    sd = model.state_dict()
    save_torch(sd, os.path.join(OUT, "et_model_state_dict.pt"))
    write_raw_tensors(sd, os.path.join(OUT, "state_dict.bin"), os.path.join(OUT, "state_dict.json"))

    # --- the data: int64 rows starting with [BEGIN], with repeats so induction has work to do -----
    data = torch.randint(0, BEGIN, (ROWS, WIDTH), generator=gen, dtype=torch.int64)
    for r in range(ROWS):
        L = 4 + r % 3
        data[r, 10:10 + L] = data[r, 2:2 + L]
    data[:, 0] = BEGIN
    save_torch(data, os.path.join(OUT, "validation_data.pt"))
    # Rows without [BEGIN] (the importer's --prepend-begin path) and rows with an id outside the vocab.
    save_torch(data[:, 1:].clone(), os.path.join(OUT, "validation_data_nobegin.pt"))
    bad_tokens = data.clone()
    bad_tokens[3, 7] = CFG["d_vocab"] + 40
    save_torch(bad_tokens, os.path.join(OUT, "bad", "tokens_out_of_vocab.pt"))

    # --- the candidate vector: float32 0/1 over the vocab, specials 0 ----------------------------
    cand = (torch.rand(CFG["d_vocab"], generator=gen) < 0.25).float()
    cand[BEGIN:] = 0
    save_torch(cand, os.path.join(OUT, "induction_candidates.pt"))
    half = cand.clone()
    half[5] = 0.5
    save_torch(half, os.path.join(OUT, "bad", "candidates_not_binary.pt"))

    # --- PyTorch's logits for the first rows -----------------------------------------------------
    tokens = data[:LOGIT_ROWS]
    with torch.no_grad():
        logits = tl_forward(sd, CFG, tokens[:, :-1])
        f32 = tl_forward(sd, CFG, tokens[:, :-1], torch.float32).double()
    fields = [
        ("config", json.dumps(CFG)),
        ("begin_id", str(BEGIN)),
        ("data_shape", json.dumps([ROWS, WIDTH])),
        ("data", json.dumps(data.tolist())),
        ("candidate_ids", json.dumps(cand.nonzero().flatten().tolist())),
        ("logit_rows", str(LOGIT_ROWS)),
        ("float32_forward_vs_reference", repr(float((f32 - logits).abs().max()))),
        ("logits", fmt(logits.reshape(-1, CFG["d_vocab"]).numpy())),
    ]
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        f.write("{\n" + ",\n".join(f"{json.dumps(k)}: {v}" for k, v in fields) + "\n}\n")

    # --- dtypes, views, shared storage, 0-d and empty tensors -------------------------------------
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4) * 0.5 - 1
    dt = OrderedDict()
    dt["f32"] = base.clone()
    dt["f64"] = base.double() / 3
    dt["f16"] = (base / 3).half()
    dt["bf16"] = (base / 3).bfloat16()
    dt["i64"] = torch.tensor([[-(2**40), -1, 0], [1, 2**31, 2**53 - 1]], dtype=torch.int64)
    dt["i32"] = torch.tensor([-(2**31), -7, 0, 2**31 - 1], dtype=torch.int32)
    dt["i16"] = torch.tensor([-32768, -1, 32767], dtype=torch.int16)
    dt["i8"] = torch.tensor([-128, -1, 127], dtype=torch.int8)
    dt["u8"] = torch.tensor([0, 1, 255], dtype=torch.uint8)
    dt["bool"] = torch.tensor([[True, False], [False, True]])
    shared = torch.arange(20, dtype=torch.float32)
    dt["shared_a"] = shared[2:8].view(2, 3)              # storage offset 2
    dt["shared_t"] = shared[:12].view(3, 4).t()          # strides (1, 4): not contiguous
    dt["scalar"] = torch.tensor(-1e5)
    dt["empty"] = torch.zeros(0, 3)
    save_torch(dt, os.path.join(OUT, "dtypes.pt"))
    save_torch(dt, os.path.join(OUT, "dtypes_p4.pt"), pickle_protocol=4)
    expect = OrderedDict()
    for k, t in dt.items():
        vals = t.contiguous().reshape(-1)
        if t.dtype == torch.int64:
            vals = [str(int(v)) for v in vals]           # exact beyond 2^53 would need strings
        elif t.dtype == torch.bool:
            vals = [bool(v) for v in vals]
        else:
            vals = [float(v) for v in vals.double()]
        expect[k] = {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "values": vals}
    with open(os.path.join(OUT, "dtypes.json"), "w") as f:
        json.dump(expect, f, indent=1)
        f.write("\n")

    # --- the zip layout of newer torch (>= 2.1): archive/ prefix, byteorder, serialization id -----
    raw = torch_zip_bytes(data)
    rezip(raw, os.path.join(OUT, "newer_format.pt"),
          extra=[("archive/byteorder", b"little"), ("archive/.data/serialization_id", b"0123456789012345678901234567890123456789")])

    # --- files that must be rejected -------------------------------------------------------------
    bad = os.path.join(OUT, "bad")
    save_torch({"x": Evil(os.system, ("echo pwned > isc-torch-pickle-pwned",))}, os.path.join(bad, "evil_os_system.pt"))
    save_torch(Evil(eval, ("__import__('os').system('echo pwned')",)), os.path.join(bad, "evil_eval.pt"))
    save_torch({"x": Evil(os.system, ("echo pwned",))}, os.path.join(bad, "evil_os_system_p4.pt"), pickle_protocol=4)
    save_torch(data, os.path.join(bad, "legacy_format.pt"), _use_new_zipfile_serialization=False)
    save_torch({"model": OrderedDict(embed=torch.zeros(2))}, os.path.join(bad, "nested_dict.pt"))
    save_torch({"a": torch.zeros(2), "b": [1, 2, 3]}, os.path.join(bad, "list_value.pt"))
    save_torch([torch.zeros(2)], os.path.join(bad, "top_level_list.pt"))
    raw = torch_zip_bytes(data)
    # Hand-written pickles in an otherwise valid checkpoint: the other ways a pickle can try to call or
    # mutate something (INST opcode, calling an allowed storage type, BUILD on an allowed global, a forged
    # persistent id, a malformed opcode stream).
    crafted = {
        "inst_opcode.pt": b"\x80\x02(X\x04\x00\x00\x00echoiposix\nsystem\n.",
        "stack_global.pt": b"\x80\x04\x95\x1d\x00\x00\x00\x00\x00\x00\x00\x8c\x08builtins\x94\x8c\x04exec\x94\x93\x94\x8c\x01x\x94\x85\x94R\x94.",
        "call_storage_type.pt": b"\x80\x02ctorch\nFloatStorage\n)R.",
        "build_on_global.pt": b"\x80\x02ccollections\nOrderedDict\n}X\x04\x00\x00\x00evilK\x01sb.",
        "forged_persistent_id.pt": b"\x80\x02(X\x07\x00\x00\x00storageX\x05\x00\x00\x00FloatX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x01tQ.",
        "malformed_pickle.pt": b"\x80\x02(X\xff\xff\x00\x00tr",
    }
    for name, pkl in crafted.items():
        rezip(raw, os.path.join(bad, name), replace={"archive/data.pkl": pkl})
    rezip(raw, os.path.join(bad, "big_endian.pt"), extra=[("archive/byteorder", b"big")])
    rezip(raw, os.path.join(bad, "future_version.pt"), replace={"archive/version": b"99\n"})
    rezip(raw, os.path.join(bad, "missing_storage.pt"), drop={"archive/data/0"})
    rezip(raw, os.path.join(bad, "short_storage.pt"), replace={"archive/data/0": data.numpy().tobytes()[:-8]})
    rezip(raw, os.path.join(bad, "no_data_pkl.pt"), drop={"archive/data.pkl"})
    with zipfile.ZipFile(os.path.join(bad, "not_torch.zip"), "w") as z:
        z.writestr(zipfile.ZipInfo("readme.txt", FIXED_DATE), b"just a zip\n")
    with open(os.path.join(bad, "not_a_checkpoint.pt"), "wb") as f:
        f.write(b"<html>404: Not Found</html>\n")
    nz = OrderedDict((k, v.clone()) for k, v in sd.items())
    nz["blocks.0.attn.b_Q"][0, 0] = 0.25
    save_torch(nz, os.path.join(bad, "nonzero_bias.pt"))
    missing = OrderedDict((k, v) for k, v in sd.items() if k != "blocks.1.attn.W_V")
    save_torch(missing, os.path.join(bad, "missing_tensor.pt"))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
