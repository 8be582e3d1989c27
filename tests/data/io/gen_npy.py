#!/usr/bin/python3
"""Generate the small matrix files under tests/data/io/.

Run by hand from this directory with Debian's interpreter (numpy 1.24):

    cd tests/data/io && /usr/bin/python3 gen_npy.py

CI does NOT run this script: its outputs are committed, and tests/test_io.c
checks them. Rerun it only when you change it, and commit what it writes.

Most files hold "arange" values that tests/test_io.c re-derives with the same
formula, so they are compared exactly, bit for bit:

    v[i][j] = scale * (i * cols + j) + offset

with (scale, offset) given per file below and in README.md. Values that no
formula gives (seeded random, tiny, huge, negative zero) are written to a
".expected" text file: first line "ROWS COLS", then one value per line in
Python repr() form, which round-trips exactly through C strtod().
"""
import io
import numpy as np


def arange(rows, cols, scale, offset, dtype):
    i, j = np.indices((rows, cols))
    return (scale * (i * cols + j) + offset).astype(dtype)


def write_expected(path, arr):
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write("%d %d\n" % arr.shape)
        for v in arr.ravel():
            # repr of the exact double (a float32 widens exactly).
            f.write(repr(float(v)) + "\n")


def main():
    # float32 and float64 arange matrices, C order, version 1.0 headers.
    np.save("arange_f32_3x4.npy", arange(3, 4, 1.0, 0.25, np.float32))
    np.save("arange_f64_4x5.npy", arange(4, 5, 0.5, -7.75, np.float64))
    # A single element, to exercise the smallest shape.
    np.save("arange_f64_1x1.npy", arange(1, 1, 1.0, 0.25, np.float64))

    # Version 2.0 header (4-byte header length), written explicitly.
    with open("arange_f64_2x3_v2.npy", "wb") as f:
        np.lib.format.write_array(f, arange(2, 3, 1.0, 0.25, np.float64),
                                  version=(2, 0))
    with open("arange_f32_3x2_v2.npy", "wb") as f:
        np.lib.format.write_array(f, arange(3, 2, 1.0, 0.25, np.float32),
                                  version=(2, 0))

    # Confusion counts as int64 (what sklearn.metrics.confusion_matrix
    # returns) and int32; read as float64. scale 3, offset 0 keeps them
    # integral; the last one is 2**40 to show no 32-bit truncation happens.
    counts = arange(4, 4, 3.0, 0.0, np.int64)
    counts[3, 3] = 2 ** 40
    np.save("counts_i64_4x4.npy", counts)
    np.save("counts_i32_3x5.npy", arange(3, 5, 3.0, 0.0, np.int32))

    # Seeded random values plus extremes; exact values in .expected files.
    rng = np.random.default_rng(20250412)
    special = rng.standard_normal((3, 4))
    special[0, 0] = -1.5
    special[0, 1] = 1e-30
    special[0, 2] = 1e30
    special[0, 3] = -0.0
    special[1, 0] = -1e-30
    special[1, 1] = -1e30
    special = special.astype(np.float64)
    np.save("special_f64_3x4.npy", special)
    write_expected("special_f64_3x4.expected", special)
    special32 = special.astype(np.float32)
    np.save("special_f32_3x4.npy", special32)
    write_expected("special_f32_3x4.expected", special32)

    # CSV written by numpy.savetxt ('%.18e', comma): same values as the
    # float64 arange above.
    np.savetxt("arange_4x5.csv", arange(4, 5, 0.5, -7.75, np.float64),
               delimiter=",")
    # ... and the seeded special values; '%.18e' round-trips exactly.
    np.savetxt("special_3x4.csv", special, delimiter=",")

    # A TSV written by hand: '#' comments, a quoted header row, quoted
    # numeric fields, a blank line, padding around fields, CRLF endings and
    # no final line ending. Values: arange(3, 3, 1.0, 0.25).
    v = arange(3, 3, 1.0, 0.25, np.float64)
    rows = [
        "# class similarities, tab-separated",
        '"tench"\t"goldfish"\t"great white shark"',
        "# a comment between the header and the data",
        '"%r"\t%r\t %r ' % tuple(v[0]),
        "",
        '%r\t"%r"\t%r' % tuple(v[1]),
        "   # an indented comment",
        "%r\t%r\t%r" % tuple(v[2]),
    ]
    with open("header_3x3.tsv", "wb") as f:
        f.write("\r\n".join(rows).encode("ascii"))

    # Semicolon-separated with a trailing line ending, and whitespace-
    # separated (runs of spaces, as np.savetxt's default delimiter and
    # hand-aligned columns give): arange(2, 3, 1.0, 0.25).
    v = arange(2, 3, 1.0, 0.25, np.float64)
    with open("semicolon_2x3.csv", "wb") as f:
        f.write(b"".join(("%r;%r;%r\n" % tuple(r)).encode() for r in v))
    with open("spaces_2x3.txt", "wb") as f:
        f.write(b"".join(("  %r %r   %r \n" % tuple(r)).encode() for r in v))


if __name__ == "__main__":
    main()
