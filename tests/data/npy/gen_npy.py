#!/usr/bin/python3
"""Generate the .npy files under tests/data/npy/ with NumPy itself.

Run by hand from this directory with Debian 12's interpreter and NumPy
(python3-numpy 1.24; the `python3` a pyenv puts first on PATH has no numpy):

    cd tests/data/npy && /usr/bin/python3 gen_npy.py

CI does NOT run this script: its outputs are committed and
tests/test_tensor_npy.c reads them. Rerun it only after changing it, and
commit what it writes together with it. Malformed inputs are not stored
here; the test builds them from byte strings at test time.

Every file is written by np.lib.format.write_array (what np.save calls),
with the format version given explicitly, so each header is numpy's own.

Values follow formulas that tests/test_tensor_npy.c recomputes, with
k = i * cols + j the C-order index of element (i, j) (for 1-D arrays k = j,
for 3-D arrays k is the C-order flat index):

    "float": v = k * 0.5 - 3             (exact in float16, float32, float64)
    "int":   v = k * 7 - 20              (fits int8)
    "big":   v = k * 2**33 - 5           (int64 beyond 32 bits, exact in double)
    "wide":  v = k * 100003 - 700001     (int32 beyond 16 bits)
    "u8":    v = k * 7 + 3
    "bool":  v = (k % 3 == 0)

Files whose values no formula gives (seeded random numbers, float16
subnormals and infinities) come with a ".expected" text file: a line
"ROWS COLS", then one value per line as Python repr() of the exact double
(a float16 or float32 widens exactly), which C strtod() reads back exactly.
"""
import numpy as np


def formula(kind, shape, dtype):
    k = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    if kind == "float":
        v = k * 0.5 - 3
    elif kind == "int":
        v = k * 7 - 20
    elif kind == "big":
        v = k * 2**33 - 5
    elif kind == "wide":
        v = k * 100003 - 700001
    elif kind == "u8":
        v = k * 7 + 3
    elif kind == "bool":
        v = k % 3 == 0
    else:
        raise ValueError(kind)
    out = v.astype(dtype)
    # The formula must be exact in the target type.
    assert (out.astype(np.float64) == v.astype(np.float64)).all(), (kind, dtype)
    return out


def write(name, arr, version=(1, 0), fortran=False, allow_pickle=False):
    if fortran:
        arr = np.asfortranarray(arr)
        assert arr.flags.f_contiguous and not arr.flags.c_contiguous
    with open(name, "wb") as fp:
        np.lib.format.write_array(fp, arr, version=version, allow_pickle=allow_pickle)
    back = np.load(name, allow_pickle=allow_pickle)
    assert back.dtype == arr.dtype and back.shape == arr.shape


def write_expected(name, arr):
    rows, cols = arr.shape
    with open(name, "w", encoding="ascii", newline="\n") as f:
        f.write("%d %d\n" % (rows, cols))
        for v in arr.ravel(order="C"):
            f.write(repr(float(v)) + "\n")


def main():
    # Format versions: 1.0 (2-byte header length), 2.0 (4-byte), 3.0 (utf-8).
    for major in (1, 2, 3):
        write("v%d_f8.npy" % major, formula("float", (3, 4), "<f8"), version=(major, 0))
    write("v3_be_f4_fortran.npy", formula("float", (3, 5), ">f4"), version=(3, 0),
          fortran=True)

    # Every dtype in the byte orders numpy writes, C order, 3 x 4.
    cases = [
        ("f2_le", "<f2", "float"), ("f2_be", ">f2", "float"),
        ("f4_le", "<f4", "float"), ("f4_be", ">f4", "float"),
        ("f8_le", "<f8", "float"), ("f8_be", ">f8", "float"),
        ("i8_le", "<i8", "big"), ("i8_be", ">i8", "big"),
        ("i4_le", "<i4", "wide"), ("i4_be", ">i4", "wide"),
        ("i2_le", "<i2", "int"), ("i2_be", ">i2", "int"),
        ("i1", "|i1", "int"), ("u1", "|u1", "u8"), ("b1", "|b1", "bool"),
    ]
    for name, descr, kind in cases:
        arr = formula(kind, (3, 4), descr)
        assert np.lib.format.dtype_to_descr(arr.dtype) == descr
        write(name + ".npy", arr)

    # Fortran order (shape 3 x 5 so a transposition cannot pass).
    for name, descr, kind in [
        ("f8_le_fortran", "<f8", "float"), ("f2_be_fortran", ">f2", "float"),
        ("i8_le_fortran", "<i8", "big"), ("u1_fortran", "|u1", "u8"),
    ]:
        write(name + ".npy", formula(kind, (3, 5), descr), fortran=True)

    # Other ranks: 1-D (read as one row), 3-D (listed, not readable as a
    # matrix; C and Fortran order), 0-D, and an empty 0 x 4 matrix.
    write("f8_1d.npy", formula("float", (7,), "<f8"))
    write("f4_3d.npy", formula("float", (2, 3, 4), "<f4"))
    write("f4_3d_fortran.npy", formula("float", (2, 3, 4), "<f4"), fortran=True)
    write("f8_0d.npy", np.array(2.5, dtype="<f8"))
    write("f4_empty.npy", np.zeros((0, 4), dtype="<f4"))

    # An object array: numpy pickles it; simdepth must refuse it.
    obj = np.empty((2, 2), dtype=object)
    obj[:] = [[1, "a"], [None, 2.5]]
    write("object.npy", obj, allow_pickle=True)

    # Seeded random values, compared element by element with their repr().
    rng = np.random.default_rng(20250601)
    r8 = rng.standard_normal((4, 6)) * np.array([1e-3, 1, 10, 1e3, 1e-30, 1e30])
    write("random_f8.npy", r8.astype("<f8"))
    write_expected("random_f8.expected", r8)
    write("random_f8_be_fortran.npy", r8.astype(">f8"), fortran=True)
    r4 = rng.standard_normal((5, 3)).astype("<f4")
    write("random_f4.npy", r4)
    write_expected("random_f4.expected", r4)
    r2 = (rng.standard_normal((4, 5)) * 100).astype("<f2")
    write("random_f2.npy", r2)
    write_expected("random_f2.expected", r2)

    # float16 corner cases: signed zero, smallest subnormal, largest
    # subnormal, smallest normal, largest finite, infinities, rounding of 1/3.
    special = np.array([[0.0, -0.0, 2.0**-24, -(2.0**-24)],
                        [1023 * 2.0**-24, 2.0**-14, 65504.0, -65504.0],
                        [np.inf, -np.inf, 1 / 3, 1 - 2.0**-11]]).astype("<f2")
    write("special_f2.npy", special)
    write_expected("special_f2.expected", special)


if __name__ == "__main__":
    main()
