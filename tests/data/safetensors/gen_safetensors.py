#!/usr/bin/python3
"""Generate the .safetensors files under tests/data/safetensors/.

Run by hand from this directory with Debian 12's interpreter and NumPy
(python3-numpy 1.24; the `python3` a pyenv puts first on PATH has no numpy):

    cd tests/data/safetensors && /usr/bin/python3 gen_safetensors.py

CI does NOT run this script: its outputs are committed and
tests/test_safetensors.c reads them. Rerun it only after changing it, and
commit what it writes together with it. Malformed inputs are not stored
here; the test builds them from byte strings at test time.

Debian packages no safetensors writer, so save() below follows the format
description of https://github.com/huggingface/safetensors (README,
"Format"): an unsigned 64-bit little-endian header length N, N bytes of
UTF-8 JSON mapping each tensor name to {"dtype", "shape", "data_offsets"}
(offsets relative to the first byte after the header) plus an optional
"__metadata__" object of strings, the header padded with spaces to a
multiple of 8 bytes as the reference writer does, then the tensors' bytes,
little-endian, C order, packed without holes. The header lists tensors in
the order given; the data may be laid out in another order (the reader
must keep the header's order).

BF16 values are made from float32 by round-to-nearest-even on the bit
pattern, (bits + 0x7fff + ((bits >> 16) & 1)) >> 16, checked here against
an exact nearest-value search.

Values follow formulas that tests/test_safetensors.c recomputes, with k the
C-order flat index of an element:

    "float": v = k * 0.5 - 3            (exact in F16, BF16, F32, F64)
    "int":   v = k * 7 - 20             (fits I8)
    "u8":    v = k * 7 + 3
    "wide":  v = k * 100003 - 700001
    "big":   v = k * 2**33 - 5
    "bool":  v = (k % 3 == 0)
    "weight": v = ((k % 17) - 8) * 0.125       (fc.weight)
    "bias":   v = k * 0.25 - 1                 (fc.bias)

Random values are listed in NAME.expected files: a line "ROWS COLS", then
one value per line as Python repr() of the exact double, which C strtod()
reads back exactly.
"""
import json
import math
import struct

import numpy as np

NP_DTYPE = {"F16": "<f2", "F32": "<f4", "F64": "<f8", "I8": "i1", "U8": "u1",
            "I16": "<i2", "I32": "<i4", "I64": "<i8", "BOOL": "?"}


def formula(kind, shape):
    k = np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.int64).reshape(shape)
    return {
        "float": lambda: k * 0.5 - 3,
        "int": lambda: k * 7 - 20,
        "u8": lambda: k * 7 + 3,
        "wide": lambda: k * 100003 - 700001,
        "big": lambda: k * 2**33 - 5,
        "bool": lambda: k % 3 == 0,
        "weight": lambda: ((k % 17) - 8) * 0.125,
        "bias": lambda: k * 0.25 - 1,
    }[kind]()


def bf16_bits(values):
    """float32 -> bfloat16 bit patterns, round to nearest, ties to even."""
    bits = np.asarray(values, dtype="<f4").view("<u4").astype(np.uint64)
    out = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype("<u2")
    # Independent check: the result is the nearest bfloat16 (even on ties).
    for b, r in zip(bits.ravel(), out.ravel()):
        x = float(np.array([b], dtype=np.uint64).astype("<u4").view("<f4")[0])
        lo = int(b) & 0xFFFF0000
        cands = [lo, lo + 0x10000]
        vals = [float(np.array([c], dtype="<u4").view("<f4")[0]) for c in cands]
        if cands[1] & 0x7FFFFFFF == 0x7F800000:
            # Rounding up past the largest finite value gives infinity when
            # the value is nearer 2**128 (the next step with an unbounded
            # exponent), as IEEE 754 rounding does.
            vals[1] = math.copysign(2.0**128, x)
        d = [abs(v - x) for v in vals]
        want = cands[0] if d[0] < d[1] or (d[0] == d[1] and (lo >> 16) % 2 == 0) else cands[1]
        assert int(r) == want >> 16, (hex(int(b)), hex(int(r)))
    return out


def bf16_values(bits):
    """The exact float values of bfloat16 bit patterns."""
    return (np.asarray(bits, dtype="<u2").astype("<u4") << 16).view("<f4")


def tensor(dtype, values):
    """(dtype, shape, raw little-endian bytes) of a tensor."""
    values = np.asarray(values)
    if dtype == "BF16":
        raw = bf16_bits(values.astype("<f4")).tobytes()
    else:
        arr = values.astype(NP_DTYPE[dtype])
        assert (arr.astype(np.float64) == values.astype(np.float64)).all() \
            or dtype in ("F16", "F32"), dtype
        raw = arr.tobytes()
    return dtype, list(values.shape), raw


def save(path, tensors, metadata=None, data_order=None, ensure_ascii=False, indent=None,
         metadata_at=0):
    """tensors: list of (name, (dtype, shape, raw)) in header order."""
    names = [n for n, _ in tensors]
    by_name = dict(tensors)
    assert len(by_name) == len(tensors)
    entries, data, offset = {}, b"", 0
    for name in (data_order or names):
        dtype, shape, raw = by_name[name]
        entries[name] = {"dtype": dtype, "shape": shape,
                         "data_offsets": [offset, offset + len(raw)]}
        data += raw
        offset += len(raw)
    header = {}
    for i, name in enumerate(names):
        if metadata is not None and i == metadata_at:
            header["__metadata__"] = metadata
        header[name] = entries[name]
    if metadata is not None and metadata_at >= len(names):
        header["__metadata__"] = metadata
    text = json.dumps(header, ensure_ascii=ensure_ascii, indent=indent,
                      separators=None if indent else (",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def write_expected(path, arr):
    arr = np.asarray(arr, dtype=np.float64)
    rows, cols = arr.shape if arr.ndim == 2 else (1, arr.size)
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write("%d %d\n" % (rows, cols))
        for v in arr.ravel():
            f.write(repr(float(v)) + "\n")


def main():
    # A toy classifier's state dict: the header lists the weight first, the
    # data holds the bias first.
    save("classifier.safetensors",
         [("fc.weight", tensor("F32", formula("weight", (10, 64)))),
          ("fc.bias", tensor("F32", formula("bias", (10,))))],
         metadata={"format": "pt"}, data_order=["fc.bias", "fc.weight"])

    # Every supported dtype, formula values, 3 x 4.
    kinds = [("F16", "float"), ("BF16", "float"), ("F32", "float"), ("F64", "float"),
             ("I8", "int"), ("U8", "u8"), ("I16", "int"), ("I32", "wide"),
             ("I64", "big"), ("BOOL", "bool")]
    save("dtypes.safetensors",
         [(d.lower(), tensor(d, formula(k, (3, 4)))) for d, k in kinds])

    # Random values, with their exact expected values.
    rng = np.random.default_rng(20250602)
    r = rng.standard_normal((4, 5)).astype("<f4") * np.float32(37.0)
    bits = bf16_bits(r)
    # Ties and near-ties of the bf16 rounding, and the overflow to infinity.
    tie_bits = np.array([0x3F808000, 0x3F818000, 0x3F808001, 0x3F807FFF,
                         0xBF808000, 0xBF818000, 0x7F7FFFFF, 0x00018000], dtype="<u4")
    ties = tie_bits.view("<f4").reshape(1, 8)
    r64 = rng.standard_normal((4, 5)) * 1e5
    save("random.safetensors",
         [("bf16", tensor("BF16", r)),
          ("bf16_ties", tensor("BF16", ties)),
          ("f16", tensor("F16", r)),
          ("f32", tensor("F32", r)),
          ("f64", tensor("F64", r64))],
         metadata={"seed": "20250602"}, metadata_at=5)
    write_expected("random_bf16.expected", bf16_values(bits))
    write_expected("random_bf16_ties.expected", bf16_values(bf16_bits(ties)))
    write_expected("random_f16.expected", r.astype("<f2"))
    write_expected("random_f32.expected", r)
    write_expected("random_f64.expected", r64)

    # Names with dots, non-ASCII text and JSON escapes; an empty tensor, a
    # scalar and a 3-D tensor; metadata in the middle of the header; data in
    # another order than the header. Written twice: raw UTF-8 in a compact
    # header, and \\u escapes in an indented one.
    names = [
        ("module.encoder.layer.0.attention.weight", tensor("F32", formula("float", (2, 3)))),
        ("h\u00e9ad.w\u00e9ight", tensor("F32", formula("float", (2, 2)))),
        ("\u7c7b\u522b.\u6743\u91cd", tensor("F32", formula("float", (3,)))),
        ("emoji.\U0001F642", tensor("F64", formula("float", (1, 1)))),
        ("empty", tensor("F32", np.zeros((0, 4)))),
        ("scalar", tensor("F32", np.array(2.5))),
        ("cube", tensor("F16", formula("float", (2, 2, 2)))),
        ('quote"back\\slash', tensor("I32", formula("wide", (2,)))),
    ]
    data_order = ["cube", "empty", 'quote"back\\slash', "scalar", "emoji.\U0001F642",
                  "\u7c7b\u522b.\u6743\u91cd", "h\u00e9ad.w\u00e9ight",
                  "module.encoder.layer.0.attention.weight"]
    meta = {"format": "pt", "note": "\u00fcn\u00efcode \u2713"}
    save("names.safetensors", names, metadata=meta, data_order=data_order, metadata_at=3)
    save("names_escaped.safetensors", names, metadata=meta, data_order=data_order,
         metadata_at=3, ensure_ascii=True, indent=1)


if __name__ == "__main__":
    main()
