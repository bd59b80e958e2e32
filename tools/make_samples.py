#!/usr/bin/python3
"""Produce the sample tensors in vectors/samples/ that fpaudit's examples audit.

Trains a small MLP (64 -> 128 -> 64 -> 10, ReLU) on scikit-learn's bundled
digits data (the UCI optdigits test partition, 1797 8x8 images; nothing is
downloaded) on the CPU with fixed seeds, then writes

  digits_mlp_weights.safetensors   every parameter as F32, plus a BF16 copy of
                                   fc1.weight and an F16 copy of fc2.weight
  digits_mlp_grads.safetensors     F32 gradients of every parameter (and of each
                                   linear layer's output) after one backward
                                   pass of the mean cross-entropy over a
                                   256-sample batch; unscaled, so they contain
                                   the tiny magnitudes that underflow in FP16/FP8
  activations/<layer>.npy          float32 activations of that batch per layer
  digits_mlp_activations.npz       a few of those activations, np.savez_compressed

The safetensors files are written by hand (8-byte little-endian header length,
JSON header padded with spaces to a multiple of 8, then the raw little-endian
data), not through the safetensors package.

Run with Debian's interpreter and packages (python3-torch, python3-numpy,
python3-sklearn):

    /usr/bin/python3 tools/make_samples.py [--out vectors/samples]

Deterministic: fixed seeds, torch.use_deterministic_algorithms, one thread.
Rerunning with the same package versions reproduces every file byte for byte
(the .npz members' timestamps are pinned to 1980-01-01 for that).
"""

import argparse
import io
import json
import os
import struct
import sys
import time
import zipfile

import numpy as np
import sklearn
import torch
from sklearn.datasets import load_digits

SEED = 20240607
STEPS = 400
TRAIN_BATCH = 64
PROBE_BATCH = 256
LR = 1e-3
N_TEST = 360  # held-out images; the probe batch is drawn from them

PRODUCER = "tools/make_samples.py"
MODEL_NAME = "digits_mlp 64-128-64-10 relu"


# --------------------------------------------------------------------------
# safetensors, written and read by hand


def _raw_le_bytes(t):
    """(safetensors dtype, little-endian bytes) of a CPU tensor."""
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.float32:
        return "F32", t.numpy().astype("<f4", copy=False).tobytes()
    if t.dtype == torch.float16:
        return "F16", t.numpy().astype("<f2", copy=False).tobytes()
    if t.dtype == torch.bfloat16:
        # numpy has no bfloat16: reinterpret the 16-bit patterns.
        return "BF16", t.view(torch.int16).numpy().astype("<i2", copy=False).tobytes()
    raise TypeError(f"unsupported dtype {t.dtype}")


_ITEMSIZE = {"F32": 4, "F16": 2, "BF16": 2}


def write_safetensors(path, tensors, metadata):
    """tensors: dict name -> torch tensor. metadata: dict str -> str."""
    entries = []
    for name, t in tensors.items():
        dtype, raw = _raw_le_bytes(t)
        entries.append((name, dtype, list(t.shape), raw))
    # Like the reference implementation: larger alignment first, then by name,
    # so every tensor starts on a multiple of its element size.
    entries.sort(key=lambda e: (-_ITEMSIZE[e[1]], e[0]))

    header = {"__metadata__": {str(k): str(v) for k, v in metadata.items()}}
    offset = 0
    for name, dtype, shape, raw in entries:
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * (-len(hjson) % 8)

    buf = bytearray(struct.pack("<Q", len(hjson)))
    buf += hjson
    for _, _, _, raw in entries:
        buf += raw
    _atomic_write(path, bytes(buf))


def read_safetensors(path):
    """Independent check of the files above: returns (metadata, {name: ndarray})."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8:8 + n].decode("utf-8"))
    base = 8 + n
    meta = header.pop("__metadata__", {})
    out, spans = {}, []
    for name, info in header.items():
        b, e = info["data_offsets"]
        spans.append((b, e))
        raw = data[base + b: base + e]
        shape = tuple(info["shape"])
        count = int(np.prod(shape, dtype=np.int64))
        if info["dtype"] == "F32":
            arr = np.frombuffer(raw, "<f4")
        elif info["dtype"] == "F16":
            arr = np.frombuffer(raw, "<f2").astype(np.float32)
        elif info["dtype"] == "BF16":
            arr = (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            raise ValueError(info["dtype"])
        assert arr.size == count, (name, arr.size, count)
        out[name] = arr.reshape(shape)
    spans.sort()
    pos = 0
    for b, e in spans:  # contiguous, no holes, covers the whole buffer
        assert b == pos and e >= b, (path, b, e, pos)
        pos = e
    assert base + pos == len(data), (path, base + pos, len(data))
    return meta, out


def _atomic_write(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def save_npz_compressed(path, arrays):
    """np.savez_compressed, then the members' timestamps pinned to 1980-01-01.

    numpy stamps each member with the current time; rewriting the archive with
    the same member bytes, deflate and zip64 extra fields (numpy passes
    force_zip64=True) but a fixed date makes reruns byte-identical.
    """
    mem = io.BytesIO()
    np.savez_compressed(mem, **arrays)
    mem.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(mem) as src, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            with dst.open(zi, "w", force_zip64=True) as w:
                w.write(src.read(info.filename))
    _atomic_write(path, out.getvalue())


# --------------------------------------------------------------------------
# model


class DigitsMLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(64, 128)
        self.fc2 = torch.nn.Linear(128, 64)
        self.fc3 = torch.nn.Linear(64, 10)

    def forward(self, x, record=None):
        a1 = self.fc1(x)
        h1 = torch.relu(a1)
        a2 = self.fc2(h1)
        h2 = torch.relu(a2)
        logits = self.fc3(h2)
        if record is not None:
            record.update(input=x, fc1=a1, relu1=h1, fc2=a2, relu2=h2, fc3=logits)
        return logits


def setup_determinism():
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # already set (only possible before any parallel work)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.use_deterministic_algorithms(True)


def load_data():
    d = load_digits()
    x = torch.from_numpy((d.data / 16.0).astype(np.float32))  # pixels 0..16 -> [0, 1]
    y = torch.from_numpy(d.target.astype(np.int64))
    g = torch.Generator().manual_seed(SEED)
    perm = torch.randperm(x.shape[0], generator=g)
    test_idx, train_idx = perm[:N_TEST], perm[N_TEST:]
    return x[train_idx], y[train_idx], x[test_idx], y[test_idx]


def train(model, xtr, ytr):
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    g = torch.Generator().manual_seed(SEED + 1)
    n = xtr.shape[0]
    order, pos = torch.randperm(n, generator=g), 0
    loss = None
    for step in range(STEPS):
        if pos + TRAIN_BATCH > n:
            order, pos = torch.randperm(n, generator=g), 0
        idx = order[pos:pos + TRAIN_BATCH]
        pos += TRAIN_BATCH
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(xtr[idx]), ytr[idx])
        loss.backward()
        opt.step()
    return float(loss)


# --------------------------------------------------------------------------


def describe(name, arr):
    a = np.abs(arr.astype(np.float64))
    nz = a[a > 0]
    tiny16 = int(np.count_nonzero((a > 0) & (a < 2.0 ** -14)))  # below FP16 min normal
    return (f"  {name:<24} {str(list(arr.shape)):<12} {str(arr.dtype):<8} "
            f"amax={a.max():.4g}  amin_nz={(nz.min() if nz.size else 0):.4g}  "
            f"zeros={a.size - nz.size}  <2^-14={tiny16}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "vectors", "samples"))
    args = ap.parse_args()
    out = os.path.normpath(args.out)
    act_dir = os.path.join(out, "activations")
    os.makedirs(act_dir, exist_ok=True)

    t0 = time.perf_counter()
    setup_determinism()
    xtr, ytr, xte, yte = load_data()
    model = DigitsMLP()
    last_loss = train(model, xtr, ytr)
    with torch.no_grad():
        acc = float((model(xte).argmax(1) == yte).float().mean())

    versions = {"torch": torch.__version__, "numpy": np.__version__,
                "sklearn": sklearn.__version__,
                "python": "%d.%d.%d" % sys.version_info[:3]}
    common_meta = {
        "producer": PRODUCER, "model": MODEL_NAME,
        "dataset": "sklearn.datasets.load_digits (UCI optdigits test set, CC BY 4.0, doi:10.24432/C50P49)",
        "seed": SEED, "step": STEPS, "optimizer": f"Adam lr={LR} batch={TRAIN_BATCH}",
        "test_accuracy": f"{acc:.4f}", "n_train": int(xtr.shape[0]), "n_test": int(xte.shape[0]),
        **{f"{k}_version": v for k, v in versions.items()},
    }

    # ---- weights
    params = {n: p.detach().clone() for n, p in model.named_parameters()}
    weights = dict(params)
    weights["fc1.weight.bf16"] = params["fc1.weight"].to(torch.bfloat16)  # RNE from F32
    weights["fc2.weight.f16"] = params["fc2.weight"].to(torch.float16)    # RNE from F32
    wpath = os.path.join(out, "digits_mlp_weights.safetensors")
    write_safetensors(wpath, weights, {**common_meta, "contents": "parameters after training; "
                                       "fc1.weight.bf16 and fc2.weight.f16 are rounded copies"})

    # ---- activations and gradients of one probe batch (first 256 held-out images)
    xb, yb = xte[:PROBE_BATCH], yte[:PROBE_BATCH]
    rec = {}
    model.zero_grad(set_to_none=True)
    logits = model(xb, record=rec)
    for k in ("fc1", "fc2", "fc3"):
        rec[k].retain_grad()
    loss = torch.nn.functional.cross_entropy(logits, yb)  # mean over the batch, no loss scale
    loss.backward()
    rec["softmax"] = torch.softmax(logits, dim=1)

    acts = {k: v.detach().numpy().astype(np.float32) for k, v in rec.items()}
    act_order = ["input", "fc1", "relu1", "fc2", "relu2", "fc3", "softmax"]
    for k in act_order:
        np.save(os.path.join(act_dir, f"{k}.npy"), acts[k])
    npz_members = ["relu1", "relu2", "fc3"]
    npz_path = os.path.join(out, "digits_mlp_activations.npz")
    save_npz_compressed(npz_path, {k: acts[k] for k in npz_members})

    grads = {f"{n}.grad": p.grad.detach().clone() for n, p in model.named_parameters()}
    for k in ("fc1", "fc2", "fc3"):
        grads[f"{k}.output.grad"] = rec[k].grad.detach().clone()
    gpath = os.path.join(out, "digits_mlp_grads.safetensors")
    write_safetensors(gpath, grads, {**common_meta, "contents":
                                     "unscaled F32 gradients of mean cross-entropy over the probe "
                                     "batch (first 256 held-out images); *.output.grad are "
                                     "gradients w.r.t. each linear layer's output",
                                     "probe_batch": PROBE_BATCH, "loss": f"{float(loss):.6f}"})
    elapsed = time.perf_counter() - t0

    # ---- read everything back and summarise
    print(f"fpaudit samples: {MODEL_NAME}, seed {SEED}, {STEPS} steps, last train loss "
          f"{last_loss:.4f}, held-out accuracy {acc:.4f}, probe loss {float(loss):.4f}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    files = [wpath, gpath, npz_path] + [os.path.join(act_dir, f"{k}.npy") for k in act_order]
    for path in (wpath, gpath):
        meta, tens = read_safetensors(path)
        src = weights if path == wpath else grads
        with open(path, "rb") as f:
            (n,) = struct.unpack("<Q", f.read(8))
            hdr = json.loads(f.read(n))
        print(f"{os.path.relpath(path)}  ({os.path.getsize(path)} bytes, step={meta['step']})")
        for name in sorted(tens):
            ref = src[name].float().numpy()
            assert np.array_equal(tens[name], ref), name
            print(describe(name, tens[name]) + f"  [{hdr[name]['dtype']}]")
    for k in act_order:
        p = os.path.join(act_dir, f"{k}.npy")
        arr = np.load(p)
        assert arr.dtype == np.float32 and np.array_equal(arr, acts[k]), k
    print(f"{os.path.relpath(act_dir)}/*.npy")
    for k in act_order:
        print(describe(k, np.load(os.path.join(act_dir, f"{k}.npy"))))
    with np.load(npz_path) as z:
        assert sorted(z.files) == sorted(npz_members)
        print(f"{os.path.relpath(npz_path)}  ({os.path.getsize(npz_path)} bytes)")
        for k in npz_members:
            assert np.array_equal(z[k], acts[k]), k
            print(describe(k, z[k]))
    with zipfile.ZipFile(npz_path) as zf:
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in zf.infolist())
    total = sum(os.path.getsize(p) for p in files)
    print(f"{len(files)} files, {total} bytes in total; generated in {elapsed:.2f} s")


if __name__ == "__main__":
    main()
