#!/usr/bin/env python3
"""Writes the committed seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/): small
valid files of each kind and near-valid ones (one field wrong). Python standard library only
(struct, zipfile, json), so the seeds do not depend on numpy. Rerun only to change the seeds."""
import io, json, os, struct, sys, zipfile

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fuzz", "corpus")


def put(target, name, data):
    d = os.path.join(root, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def npy(descr, shape, data, fortran=False, version=1, pad_to=64):
    shp = "(" + "".join(f"{d}, " for d in shape)[:-2] + ("," if len(shape) == 1 else "") + ")"
    if not shape:
        shp = "()"
    h = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shp)
    pre = 10 if version == 1 else 12
    total = (pre + len(h) + 1 + pad_to - 1) // pad_to * pad_to
    h = h + " " * (total - pre - len(h) - 1) + "\n"
    length = struct.pack("<H", len(h)) if version == 1 else struct.pack("<I", len(h))
    return b"\x93NUMPY" + bytes([version, 0]) + length + h.encode() + data


f4 = struct.pack("<6f", 1.0, -2.5, 3e38, 1e-45, float("inf"), float("nan"))
good = {
    "f4_2x3.npy": npy("<f4", (2, 3), f4),
    "f2_scalar_v2.npy": npy("<f2", (), b"\x00\x3c", version=2),
    "f8_be_fortran_v3.npy": npy(">f8", (2, 1), struct.pack(">2d", 1.0, -0.0), True, 3),
    "u1_4.npy": npy("|u1", (4,), b"\x00\x7f\x80\xff"),
    "b1_2.npy": npy("|b1", (2,), b"\x00\x01"),
    "i8_empty.npy": npy("<i8", (0, 5), b""),
    "bf_native_2.npy": npy("=i2", (2,), b"\x80\x3f\x00\x00"),
}
for k, v in good.items():
    put("npy", k, v)
put("npy", "near_truncated_data.npy", good["f4_2x3.npy"][:-3])
put("npy", "near_bad_version.npy", good["u1_4.npy"][:6] + b"\x04\x00" + good["u1_4.npy"][8:])
put("npy", "near_header_len_past_end.npy", good["u1_4.npy"][:8] + b"\xff\x7f" + good["u1_4.npy"][10:])
put("npy", "near_unknown_descr.npy", npy("<c8", (1,), b"\0" * 8))
put("npy", "near_missing_key.npy", good["u1_4.npy"].replace(b"'fortran_order': False, ", b"") + b"")
put("npy", "near_overflow_shape.npy", npy("<f4", (2**32, 2**32, 16), b""))

# .npz: stored, deflated, ZIP64 (numpy.savez writes force_zip64), a comment, a directory entry.
def npz(members, method=zipfile.ZIP_STORED, zip64=False, comment=b""):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as z:
        for name, data in members:
            if name.endswith("/"):
                z.writestr(name, b"")
                continue
            with z.open(zipfile.ZipInfo(name), "w", force_zip64=zip64) if method == zipfile.ZIP_STORED \
                    else z.open(name, "w", force_zip64=zip64) as w:
                w.write(data)
        z.comment = comment
    return buf.getvalue()


two = [("a.npy", good["f4_2x3.npy"]), ("b.npy", good["u1_4.npy"])]
put("npz", "stored_two.npz", npz(two))
put("npz", "deflated_two.npz", npz(two, zipfile.ZIP_DEFLATED))
put("npz", "stored_zip64.npz", npz(two[:1], zip64=True))
put("npz", "deflated_zip64_comment.npz", npz(two[1:], zipfile.ZIP_DEFLATED, True, b"hello"))
put("npz", "dir_entry.npz", npz([("d/", b""), ("d/x.npy", good["b1_2.npy"])]))
put("npz", "empty.npz", npz([]))
bad_crc = bytearray(npz(two[1:]))
bad_crc[bad_crc.rfind(b"\x00\x7f\x80\xff")] ^= 1
put("npz", "near_bad_crc.npz", bytes(bad_crc))
put("npz", "near_truncated.npz", npz(two, zipfile.ZIP_DEFLATED)[:-30])
put("npz", "near_member_not_npy.npz", npz([("x.npy", b"not a npy file")], zipfile.ZIP_DEFLATED))


def st(header, data, n=None):
    h = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<Q", len(h) if n is None else n) + h + data


put("safetensors", "f32_f16.safetensors",
    st({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
        "h": {"dtype": "F16", "shape": [1, 1], "data_offsets": [8, 10]},
        "__metadata__": {"format": "pt"}}, struct.pack("<2f", 1.0, -3.0) + b"\x00\x3c"))
put("safetensors", "fp8_bf16_gap.safetensors",
    st({"a": {"dtype": "F8_E4M3", "shape": [3], "data_offsets": [0, 3]},
        "b": {"dtype": "BF16", "shape": [], "data_offsets": [4, 6]},
        "e": {"dtype": "I64", "shape": [0, 4], "data_offsets": [6, 6]}}, b"\x38\x7e\xff\x00\x80\x3f"))
put("safetensors", "e5m2_u8_f64.safetensors",
    st({"x": {"dtype": "F8_E5M2", "shape": [2], "data_offsets": [0, 2]},
        "y": {"dtype": "U8", "shape": [2], "data_offsets": [2, 4]},
        "z": {"dtype": "F64", "shape": [1], "data_offsets": [8, 16]}}, b"\x3c\x7c\x01\x02" + b"\0" * 4 + struct.pack("<d", 2.0)))
put("safetensors", "empty_header.safetensors", st({}, b""))
put("safetensors", "near_overlap.safetensors",
    st({"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]},
        "b": {"dtype": "U8", "shape": [2], "data_offsets": [1, 3]}}, b"\1\2\3"))
put("safetensors", "near_size_mismatch.safetensors",
    st({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}, b"\0" * 4))
put("safetensors", "near_header_len.safetensors",
    st({"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}}, b"\1", n=10**9))
put("safetensors", "near_nested.safetensors", st({"a": {"dtype": "U8", "shape": [[1]], "data_offsets": [0, 1]}}, b"\1"))

for i, s in enumerate(["e4m3:fn", "e5m2:fnuz", "ue8m0", "e4m3:fnuz:bias=11", "e3m2:fn:nosub",
                       "binary16", "bf16", "e8m23", "e11m52", "e2m1:nonan", "ue8m0:fn:nozero:nosub",
                       "e5m10:ieee:bias=-3", "e20m43", "float8_e4m3fn", "e0m3", "e4m3:bias="]):
    put("format_string", f"seed{i:02d}", s)

for i, s in enumerate(["overflow_inf>0", "underflow_to_zero/count>0.01", "sqnr_db<30",
                       "max_rel_err>=0.1 && !(nan_created==0) || count!=1",
                       "-(-x)*2+1e-3<=y/0", "((((a))))", "a>", "1e309>2", "x==", "!!!!a"]):
    put("fail_if", f"seed{i:02d}", s)
# testfloat_line: first byte = index into fuzz_targets.hpp's function list, then the line.
for i, (fn, line) in enumerate([
        (0, "3F800000 3F80 00"), (0, "0x7f800001 7FC1 10"), (1, "3C00 3C00 3C00 4000 00"),
        (2, "38 38 40 00"), (3, "3C00 4000 1 00"), (4, "7 4018000000000000 00"),
        (5, "7FF8000000000000 7F 10"), (6, "BF80 7FC0 10"),
        (7, " ".join(["3F800000"] * 32) + " 7F " + " ".join(["38"] * 32) + " 00"),
        (8, "3F80 3F80 3F80 3F80 3F80 3F80 3F80 3F80 40800000 00"), (1, "# comment"),
        (2, "38 38 zz 00"), (0, "3F800000 3F80")]):
    put("testfloat_line", f"seed{i:02d}", bytes([fn]) + line.encode())
print("wrote seeds under", os.path.normpath(root))
