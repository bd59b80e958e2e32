#!/usr/bin/env python3
"""Regenerates the curated vector set vectors/v1/ and vectors/v1/MANIFEST.json with `fpaudit gen`.

Usage: tools/make_vectors.py [path/to/fpaudit]   (default: build/fpaudit)

Each entry below is one file: the `fpaudit gen` arguments that make it. The manifest records the
function, the modes, the number of cases, the sha256 of the file and the generator that made it;
tests/test_vectors_shipped.cpp regenerates every file and checks those hashes, so a change to
the generator that changes a shipped byte fails the suite until this script is rerun (and the
set's version bumped, if published vectors change meaning).
"""
import hashlib, json, os, subprocess, sys

SET_VERSION = 1
# (file, function, extra gen arguments); the default modes are rne / ieee / keep / after.
ENTRIES = [
    ("f32_to_f16.level1.tf", "f32_to_f16", []),
    ("f32_to_bf16.level1.tf", "f32_to_bf16", []),
    ("f32_to_bf16.rtz.level1.tf", "f32_to_bf16", ["--rounding", "rtz"]),
    ("f32_to_e4m3.level1.tf", "f32_to_e4m3", []),
    ("f32_to_e4m3.saturate.level1.tf", "f32_to_e4m3", ["--overflow", "saturate"]),
    ("f32_to_e5m2.level1.tf", "f32_to_e5m2", []),
    ("f32_to_e2m1.level1.tf", "f32_to_e2m1", []),
    ("f16_to_e4m3.level1.tf", "f16_to_e4m3", []),
    ("f16_add.level1.tf", "f16_add", []),
    ("f16_mul.level1.tf", "f16_mul", []),
    ("f16_mulAdd.level1.tf", "f16_mulAdd", []),
    ("bf16_add.level1.tf", "bf16_add", []),
    ("e4m3_add.exhaustive.tf", "e4m3_add", ["--level", "exhaustive"]),
    ("e4m3_mul.exhaustive.tf", "e4m3_mul", ["--level", "exhaustive"]),
    ("e5m2_mul.exhaustive.tf", "e5m2_mul", ["--level", "exhaustive"]),
    ("mxfp8_e4m3_quantize.level1.tf", "mxfp8_e4m3_quantize", []),
    ("mxfp4_e2m1_quantize.level1.tf", "mxfp4_e2m1_quantize", []),
    ("nvfp4_quantize.level1.tf", "nvfp4_quantize", []),
    ("bf16_dot32.amx-bf16.level1.tf", "bf16_dot32@amx-bf16", []),
    ("f16_dot16.h100.level1.tf", "f16_dot16@nvidia-h100-fp16-fp32", []),
]
SEED = "1"


def modes(extra):
    m = {"rounding": "rne", "overflow": "ieee", "subnormals": "keep", "tininess": "after",
         "level": "1"}
    for key, value in zip(extra[::2], extra[1::2]):
        m[key.lstrip("-")] = value
    return m


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cli = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build", "fpaudit")
    out_dir = os.path.join(root, "vectors", "v1")
    os.makedirs(out_dir, exist_ok=True)
    files = []
    for name, function, extra in ENTRIES:
        args = ["gen", function, "--seed", SEED] + extra
        data = subprocess.run([cli] + args, check=True, capture_output=True).stdout
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
        files.append({"file": name, "function": function, "args": args, "modes": modes(extra),
                      "count": data.count(b"\n"), "sha256": hashlib.sha256(data).hexdigest()})
    manifest = {"set": "fpaudit vectors", "version": SET_VERSION,
                "generator": "fpaudit gen (vectors::generate_cases, generator version 1)",
                "format": "Berkeley TestFloat lines: operands, results, flags byte (hex)",
                "files": files}
    with open(os.path.join(out_dir, "MANIFEST.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
