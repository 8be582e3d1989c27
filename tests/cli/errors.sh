#!/bin/bash
# simdepth — the CLI's bad-input table (issue "Hostile input, faults and
# memory safety"): every row is a bad input or a bad option combination,
# with the exit status it must give (2: usage error or bad input, 1: runtime
# error; see simdepth(1), EXIT STATUS) and an extended regular expression
# its stderr must match. Stderr must be exactly one line, starting with
# "simdepth: ", and naming the file (with line/byte position where the
# input has one) and what was expected.
#
# Second part: resource limits. Inputs that declare absurd sizes (a
# 10^12 x 10^12 tensor in .npy, .safetensors and .pth; a zip bomb; a pickle
# with deeply nested containers or a billion-element list; a CSV with a
# 100 MB line) must be refused early with a clear message and bounded
# memory: each runs under 'ulimit -v' (1 GiB address space, where the
# binary can run under it: not under ASan or valgrind) so that an attempted
# huge allocation would fail, and its peak RSS (/usr/bin/time) must stay
# under 200 MB + the file's size. The large inputs are generated here, in
# a temporary directory, never committed.
#
# Run by 'make check', or by hand:
#   SIMDEPTH_TOP_SRCDIR=/path/to/src SIMDEPTH_BIN=./simdepth \
#       /path/to/src/tests/cli/errors.sh
# Exit status: 0 all passed, 1 a check failed, 99 the test cannot run.
set -u

here=$(cd "$(dirname "$0")" && pwd) || exit 99
# shellcheck source=lib.sh
. "$here/lib.sh"

BIN=${SIMDEPTH_BIN:-./simdepth}
SRC=${SIMDEPTH_TOP_SRCDIR:-$here/../..}
S=$SRC/samples/fashion-mnist
TD=$SRC/tests/data
E=$T_TMP/in
mkdir -p "$E" || exit 99

t_need_bin

# ------------------------------------------------------------ bad inputs
# npy_file NAME DICT DATA_BYTES: a version 1.0 .npy whose header is DICT
# (padded to 64 bytes, as NumPy does) followed by DATA_BYTES zero bytes.
npy_file() {
    local name=$1 dict=$2 nbytes=$3 hlen
    hlen=$((((10 + ${#dict} + 1 + 63) / 64) * 64 - 10))
    {
        printf '\223NUMPY\001\000'
        # shellcheck disable=SC2059
        printf "\\$(printf '%03o' $((hlen % 256)))\\$(printf '%03o' $((hlen / 256)))"
        printf '%s' "$dict"
        printf '%*s' $((hlen - ${#dict} - 1)) ''
        printf '\n'
        head -c "$nbytes" /dev/zero
    } >"$name"
}

# safetensors_file NAME JSON DATA_BYTES: 8-byte little-endian header length,
# the JSON header, then DATA_BYTES zero bytes.
safetensors_file() {
    local name=$1 json=$2 nbytes=$3 n i
    n=${#json}
    {
        for i in 0 1 2 3 4 5 6 7; do
            # shellcheck disable=SC2059
            printf "\\$(printf '%03o' $(((n >> (8 * i)) & 255)))"
        done
        printf '%s' "$json"
        head -c "$nbytes" /dev/zero
    } >"$name"
}

F4="'descr': '<f4', 'fortran_order': False"
npy_file "$E/ok_3x2.npy" "{$F4, 'shape': (3, 2), }" 24
npy_file "$E/short.npy" "{$F4, 'shape': (3, 2), }" 20
npy_file "$E/trailing.npy" "{$F4, 'shape': (3, 2), }" 28
npy_file "$E/str.npy" "{'descr': '<U8', 'fortran_order': False, 'shape': (3, 2), }" 192
npy_file "$E/nodescr.npy" "{'fortran_order': False, 'shape': (3, 2), }" 24
npy_file "$E/badshape.npy" "{$F4, 'shape': (3, -2), }" 24
printf '\223NUMPY\001\000\377\377' >"$E/hdrlen.npy"
: >"$E/empty.npy"
printf 'not a tensor file\n' >"$E/text.bin"
safetensors_file "$E/badjson.safetensors" '{"w": {"dtype": "F32", "shape": [2, 2]' 0
safetensors_file "$E/offsets.safetensors" \
    '{"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 12]}}' 12
safetensors_file "$E/dtype.safetensors" \
    '{"w": {"dtype": "Q7", "shape": [2, 2], "data_offsets": [0, 16]}}' 16
printf '\377\000\000\000\000\000\000\000{}' >"$E/hdrlen.safetensors"
printf 'PK\003\004 this is not a zip archive' >"$E/badzip.pth"
printf '1,2,3\n4,5\n' >"$E/ragged.csv"
printf '1,2\n3,x\n' >"$E/nonnum.csv"
printf '1,nan\n3,4\n' >"$E/nan.csv"   # off the diagonal: a non-finite diagonal is set to 1
printf 'n03595614\nn03595614\n' >"$E/dup.txt"
: >"$E/nolabels.txt"
printf 'xyzzyplugh\n' >"$E/unmappable.txt"
printf 'foo bar\n' >"$E/overrides.tsv"
printf 'a\tb\nb\ta\n' >"$E/cycle.tsv"
printf 'justone\n' >"$E/notab.tsv"
head -n 9 "$S/labels.txt" >"$E/labels9.txt"
sed '3s/.*/n99999999 nothing/' "$S/labels.txt" >"$E/badwnid.txt"

W="-w $S/weights.npy"
L="-l $S/labels.txt"
# Exit status 2 for bad input and usage errors, 1 for runtime errors (the
# output directory does not exist). Messages: "FILE:LINE[:COL]: ...",
# "FILE: byte N: ..." or "COMMAND: --option 'VALUE': expected ...".
table=$(
    cat <<'EOF'
unknown command | 2 | unknown command 'bogus'; run 'simdepth --help' | $BIN bogus
analyze: no input | 2 | analyze: missing input: give --weights FILE or --similarity FILE | $BIN analyze $L
analyze: no labels | 2 | analyze: missing --labels FILE | $BIN analyze $W
analyze: -w and -s | 2 | give either --weights or --similarity, not both | $BIN analyze $W -s $S/weights.npy $L
analyze: unknown option | 2 | analyze: unknown option '--bogus' | $BIN analyze $W $L --bogus
analyze: missing weights file | 2 | /nonexistent\.npy: cannot open: No such file or directory | $BIN analyze -w /nonexistent.npy $L
analyze: empty .npy | 2 | empty\.npy: byte 0: not a \.npy file \(expected the magic | $BIN analyze -w $E/empty.npy $L
analyze: text as weights | 2 | text\.bin: byte 0: not a tensor file: expected \.npy, \.safetensors or a PyTorch | $BIN analyze -w $E/text.bin $L
analyze: .npy header length past the end | 2 | hdrlen\.npy: byte 8: header length 65535 runs past the end of the 10-byte file | $BIN analyze -w $E/hdrlen.npy $L
analyze: truncated .npy data | 2 | short\.npy: byte 128: shape \(3, 2\) needs 24 data bytes but the file has 20 \(truncated\) | $BIN analyze -w $E/short.npy $L
analyze: trailing .npy bytes | 2 | trailing\.npy: byte 128: .*\(trailing bytes\) | $BIN analyze -w $E/trailing.npy $L
analyze: .npy string dtype | 2 | str\.npy: byte 10: dtype '<U8' is not supported; expected f2, f4 | $BIN analyze -w $E/str.npy $L
analyze: .npy header without descr | 2 | nodescr\.npy: byte 10: header lacks 'descr'; expected | $BIN analyze -w $E/nodescr.npy $L
analyze: .npy negative dimension | 2 | badshape\.npy: byte [0-9]+: .*shape | $BIN analyze -w $E/badshape.npy $L
analyze: rows vs labels | 2 | ok_3x2\.npy: 3 rows but .*labels\.txt has 10 labels; expected one row per class | $BIN analyze -w $E/ok_3x2.npy $L
analyze: 9 labels for 10 rows | 2 | weights\.npy: 10 rows but .*labels9\.txt has 9 labels | $BIN analyze $W -l $E/labels9.txt
analyze: no such tensor | 2 | weights\.npy: no tensor named 'nosuch' \(run 'simdepth inspect' to list them\) | $BIN analyze -w $S/weights.npy:nosuch $L
analyze: duplicate label | 2 | dup\.txt:2: duplicate label 'n03595614' \(first on line 1\) | $BIN analyze -w $E/ok_3x2.npy -l $E/dup.txt
analyze: empty labels file | 2 | nolabels\.txt: no labels; expected one label per line | $BIN analyze $W -l $E/nolabels.txt
analyze: unknown WordNet id | 2 | badwnid\.txt:3: .*n99999999 | $BIN analyze $W -l $E/badwnid.txt
analyze: ragged CSV weights | 2 | ragged\.csv:2: row has 2 fields; expected 3 like the first row | $BIN analyze -w $E/ragged.csv $L
analyze: non-numeric confusion | 2 | nonnum\.csv:2:2: field 'x' is not a number | $BIN analyze $W $L -c $E/nonnum.csv
analyze: confusion shape | 2 | ragged\.csv:2: row has 2 fields | $BIN analyze $W $L -c $E/ragged.csv
analyze: NaN similarity | 2 | nan\.csv:1:2: value NaN at row 1, column 2; expected a finite number | $BIN analyze -s $E/nan.csv -l $E/labels9.txt
analyze: --cluster bogus | 2 | analyze: --cluster 'bogus': expected ap, louvain, leiden | $BIN analyze $W $L --cluster bogus
analyze: --cluster cut:0 | 2 | analyze: --cluster 'cut:0': expected | $BIN analyze $W $L --cluster cut:0
analyze: cut into more clusters than classes | 2 | weights\.npy: a cut into 99 clusters of 10 classes; expected 1 to 10 | $BIN analyze $W $L --cluster cut:99
analyze: --damping 2 | 2 | analyze: --damping '2': expected a number in \[0\.5, 1\) | $BIN analyze $W $L --damping 2
analyze: --max-iter 0 | 2 | analyze: --max-iter '0': expected a positive integer | $BIN analyze $W $L --max-iter 0
analyze: --seed -1 | 2 | analyze: --seed '-1': expected a non-negative integer | $BIN analyze $W $L --seed -1
analyze: --resolution abc | 2 | analyze: --resolution 'abc': expected a positive number | $BIN analyze $W $L --resolution abc
analyze: --linkage bogus | 2 | analyze: --linkage 'bogus': expected single, complete, average | $BIN analyze $W $L --cluster cut:3 --linkage bogus
analyze: --format xml | 2 | analyze: --format 'xml': expected json, text, csv or latex | $BIN analyze $W $L --format xml
analyze: taxonomy missing | 2 | /nonexistent\.tsv: cannot open: No such file or directory | $BIN analyze $W $L --taxonomy /nonexistent.tsv
analyze: taxonomy line without a tab | 2 | notab\.tsv:1: 1 tab-separated field; expected exactly two: child<TAB>parent | $BIN analyze $W $L --taxonomy $E/notab.tsv
analyze: taxonomy cycle | 2 | cycle\.tsv: the taxonomy has a cycle: a -> b -> a | $BIN analyze $W $L --taxonomy $E/cycle.tsv
analyze: WordNet directory missing | 2 | /nonexistent: WordNet database directory '/nonexistent': No such file or directory | $BIN analyze $W $L --wordnet-dir /nonexistent
analyze: output directory missing | 1 | /nonexistent/dir/r\.json: cannot create output: No such file or directory | $BIN analyze $W $L -o /nonexistent/dir/r.json
inspect: no file | 2 | inspect: missing FILE | $BIN inspect
inspect: --classes 0 | 2 | inspect: --classes '0': expected a positive integer | $BIN inspect -n 0 $S/weights.npy
inspect: --format xml | 2 | inspect: --format 'xml': expected text or json | $BIN inspect --format xml $S/weights.npy
inspect: safetensors header past the end | 2 | hdrlen\.safetensors: byte 0: header length 255 runs past the end of the 10-byte file | $BIN inspect $E/hdrlen.safetensors
inspect: safetensors broken JSON | 2 | badjson\.safetensors: byte [0-9]+: | $BIN inspect $E/badjson.safetensors
inspect: safetensors offsets vs shape | 2 | offsets\.safetensors: byte [0-9]+: .*'w' | $BIN inspect $E/offsets.safetensors
inspect: safetensors unknown dtype | 2 | dtype\.safetensors: byte [0-9]+: .*Q7 | $BIN inspect $E/dtype.safetensors
inspect: not a zip | 2 | badzip\.pth: .*zip | $BIN inspect $E/badzip.pth
inspect: pickle calling os.system | 2 | evil_zip_os_system\.pth: archive/data\.pkl, byte 2: refused pickle global 'os\.system' | $BIN inspect $TD/pth/evil_zip_os_system.pth
inspect: pickle calling eval | 2 | evil_zip_eval\.pth: archive/data\.pkl, byte 2: refused pickle global 'builtins\.eval' | $BIN inspect $TD/pth/evil_zip_eval.pth
inspect: legacy header calling posix.system | 2 | evil_legacy_header\.pth: byte 139: refused pickle global 'posix\.system' | $BIN inspect $TD/pth/evil_legacy_header.pth
tree: no output | 2 | tree: missing --output FILE | $BIN tree $W $L
tree: --linkage bogus | 2 | tree: --linkage 'bogus': expected single, complete | $BIN tree $W $L -o $T_TMP/t.npy --linkage bogus
tree: --order bogus | 2 | tree: --order 'bogus': expected input or optimal | $BIN tree $W $L -o $T_TMP/t.npy --order bogus
tree: --distance bogus | 2 | tree: --distance 'bogus': expected one-minus, clamp or max-minus | $BIN tree $W $L -o $T_TMP/t.npy --distance bogus
tree: unknown extension | 2 | tree: cannot tell the format of '.*t\.xyz' from its extension | $BIN tree $W $L -o $T_TMP/t.xyz
labels: no names | 2 | labels: missing NAMES | $BIN labels
labels: unmappable name | 2 | unmappable\.txt:1: no WordNet noun synset for 'xyzzyplugh' | $BIN labels $E/unmappable.txt
labels: malformed override | 2 | overrides\.tsv:1: expected NAME<TAB>WNID or NAME<TAB>SYNSET\.n\.NN | $BIN labels --overrides $E/overrides.tsv $E/unmappable.txt
labels: --report-format xml | 2 | labels: --report-format 'xml': expected text or json | $BIN labels --report-format xml $E/unmappable.txt
semsim: no labels | 2 | semsim: missing --labels FILE | $BIN semsim
semsim: --measure bogus | 2 | semsim: --measure 'bogus': expected path, wup or lch | $BIN semsim $L --measure bogus
semsim: --format xml | 2 | semsim: --format 'xml': expected npy or csv | $BIN semsim $L --format xml
semsim: label not in taxonomy | 2 | unmappable\.txt:1: unknown leaf 'xyzzyplugh' | $BIN semsim -l $E/unmappable.txt
render: --figure bogus | 2 | render: --figure 'bogus': expected graph, dendrogram, heatmap or all | $BIN render $W $L --figure bogus -o $T_TMP/f.svg
render: -T bogus | 2 | render: --format 'bogus': expected svg, pdf, png or dot | $BIN render $W $L -T bogus -o $T_TMP/f.svg
render: --width without unit | 2 | render: --width: length '3furlongs': expected a number with a unit | $BIN render $W $L --width 3furlongs -o $T_TMP/f.svg
render: --dpi 0 | 2 | render: --dpi '0': expected a number from 10 to 4800 | $BIN render $W $L --dpi 0 -o $T_TMP/f.png
render: standard output without -T | 2 | render: writing to standard output needs -T | $BIN render $W $L -o -
render: unknown theme | 2 | no theme 'nosuch' | $BIN render $W $L --theme nosuch -o $T_TMP/f.svg
EOF
)

# diff and track (other engineers' commands): a few rows once they exist.
if "$BIN" diff --help >/dev/null 2>&1; then
    table+=$'\n'"diff: one model only | 2 | diff: | \$BIN diff similarity=$S/weights.npy"
fi
if "$BIN" track --help >/dev/null 2>&1; then
    table+=$'\n'"track: missing manifest | 2 | /nonexistent\.txt | \$BIN track /nonexistent.txt"
fi

rows=0
while IFS= read -r row; do
    [ -z "$row" ] && continue
    name=${row%% | *}
    rest=${row#* | }
    status=${rest%% | *}
    rest=${rest#* | }
    regex=${rest%% | *}
    cmd=${rest#* | }
    rows=$((rows + 1))
    # Each command is one line of words; no word contains a blank.
    # shellcheck disable=SC2086
    eval "set -- $cmd"
    expect_fail_re "$status" "^simdepth: .*$regex" "$name" -- "$@"
done <<<"$table"

if [ "$rows" -lt 40 ]; then
    desc "the table has at least 40 rows"
    check "the table has at least 40 rows ($rows)" -- false
fi

# ------------------------------------------------------------ limits
# limit_run NAME STATUS REGEX FILE_MB -- CMD...: as expect_fail_re, run under
# 'ulimit -v' (when the binary can run under it) with the peak RSS measured.
VLIMIT_KB=1048576
can_vlimit=0
if { bash -c 'ulimit -v "$0" && exec "$1" --version' "$VLIMIT_KB" "$BIN" >/dev/null 2>&1; } 2>/dev/null; then
    can_vlimit=1
else
    skip "address-space limit" "the binary cannot run under 'ulimit -v' (ASan or valgrind); peak RSS only"
fi
have_time=0
[ -x /usr/bin/time ] && have_time=1

limit_run() {
    local name=$1 status=$2 regex=$3 file_mb=$4 rss
    shift 5
    if [ "$can_vlimit" = 1 ]; then
        expect_fail_re "$status" "^simdepth: .*$regex" "$name" -- \
            bash -c 'ulimit -v "$0" && exec "$@"' "$VLIMIT_KB" "$@"
    else
        expect_fail_re "$status" "^simdepth: .*$regex" "$name" -- "$@"
    fi
    if [ "$have_time" = 1 ]; then
        rss=$(/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1)
        desc "$name: peak RSS ${rss} KiB <= 200 MB + ${file_mb} MB"
        check "$name: bounded memory" -- [ "${rss:-999999999}" -le $(((200 + file_mb) * 1024)) ]
    fi
}

L=$T_TMP/lim
mkdir -p "$L"
npy_file "$L/huge.npy" "{$F4, 'shape': (1000000000000, 1000000000000), }" 24
npy_file "$L/big.npy" "{$F4, 'shape': (1000000, 1000000), }" 24
safetensors_file "$L/huge.safetensors" \
    '{"w": {"dtype": "F32", "shape": [1000000000000, 1000000000000], "data_offsets": [0, 24]}}' 24
limit_run "limits: .npy of 10^12 x 10^12" 2 "huge\.npy: byte 10: shape \(1000000000000, 1000000000000\) overflows" 0 -- \
    "$BIN" inspect "$L/huge.npy"
limit_run "limits: .npy of 10^6 x 10^6 in 152 bytes" 2 "big\.npy: byte 128: shape \(1000000, 1000000\) needs 4000000000000 data bytes but the file has 24" 0 -- \
    "$BIN" inspect "$L/big.npy"
limit_run "limits: .safetensors of 10^12 x 10^12" 2 "huge\.safetensors: byte [0-9]+: " 0 -- \
    "$BIN" inspect "$L/huge.safetensors"

# The .pth cases need Python's zipfile and pickle (standard library only).
PY=
for p in /usr/bin/python3 python3; do
    if command -v "$p" >/dev/null 2>&1; then
        PY=$p
        break
    fi
done
if [ -n "$PY" ]; then
    "$PY" - "$L" <<'PYEOF'
import io, pickle, struct, sys, zipfile
d = sys.argv[1]

def zipped(name, pkl, extra=(), method=zipfile.ZIP_STORED):
    with zipfile.ZipFile(f"{d}/{name}", "w", method) as z:
        z.writestr("archive/data.pkl", pkl)
        for n, b in extra:
            z.writestr(n, b)

# A torch.save()-style pickle of {'w': tensor} by hand (protocol 2): the
# storage is a persistent id ('storage', FloatStorage, '0', 'cpu', numel)
# and the tensor is torch._utils._rebuild_tensor_v2(storage, 0, size,
# stride, False, OrderedDict()).
def tensor_pickle(numel, size, stride):
    P = pickle
    def gl(mod, name):
        return b"c" + mod.encode() + b"\n" + name.encode() + b"\n"
    def tup(items):
        return P.MARK + b"".join(items) + P.TUPLE
    def integer(v):
        return b"I" + str(v).encode() + b"\n"
    def string(s):
        b = s.encode()
        return P.BINUNICODE + struct.pack("<I", len(b)) + b
    pid = tup([string("storage"), gl("torch", "FloatStorage"), string("0"),
               string("cpu"), integer(numel)])
    return (P.PROTO + b"\x02" + P.EMPTY_DICT + string("w") +
            gl("torch._utils", "_rebuild_tensor_v2") +
            tup([pid + P.BINPERSID, integer(0), tup([integer(v) for v in size]),
                 tup([integer(v) for v in stride]), P.NEWFALSE,
                 gl("collections", "OrderedDict") + P.EMPTY_TUPLE + P.REDUCE]) +
            P.REDUCE + P.SETITEM + P.STOP)

zipped("huge.pth", tensor_pickle(10**24, (10**12, 10**12), (10**12, 1)),
       [("archive/data/0", b"\0" * 16)])
# 10^6 x 10^6 claimed by a storage of 4 floats, strides 0: the tensor
# fits its storage only by aliasing; the reader must not materialise it.
zipped("alias.pth", tensor_pickle(4, (10**6, 10**6), (0, 0)),
       [("archive/data/0", b"\0" * 16)])
# Zip bomb: 256 MB of zeros deflated to about 250 KB (ratio ~1000:1),
# honestly declared by the pickle (8192 x 8192 floats).
zipped("bomb.pth", tensor_pickle(8192 * 8192, (8192, 8192), (8192, 1)),
       [("archive/data/0", b"\0" * (256 << 20))], zipfile.ZIP_DEFLATED)
# Deeply nested lists: ']' pushes an empty list, 'a' appends the top into
# the one below: 100000 levels.
deep = 100000
zipped("deep.pth", pickle.PROTO + b"\x02" + pickle.EMPTY_LIST * deep +
       pickle.APPEND * (deep - 1) + pickle.STOP)
# Deeply nested marks: '(' 100000 times.
zipped("marks.pth", pickle.PROTO + b"\x02" + pickle.MARK * deep + pickle.STOP)
# A list that declares a billion elements: one element appended and then
# DUP'd into APPENDS is bounded by the stream; the cheapest claim of a
# billion is a LONG_BINGET/BINPUT memo index of 10^9 and a huge
# BINUNICODE length.
zipped("billion.pth", pickle.PROTO + b"\x02" + pickle.EMPTY_LIST + pickle.MARK +
       pickle.BINUNICODE + struct.pack("<I", 1000000000) + b"x" * 16)
zipped("memo.pth", pickle.PROTO + b"\x02" + pickle.EMPTY_LIST +
       pickle.LONG_BINPUT + struct.pack("<I", 1000000000) + pickle.STOP)
PYEOF
    limit_run "limits: .pth tensor of 10^12 x 10^12" 2 "huge\.pth: " 0 -- "$BIN" inspect -n 10 "$L/huge.pth"
    expect_ok -- "$BIN" inspect -n 10 "$L/alias.pth"
    limit_run "limits: .pth aliasing 10^6 x 10^6, read" 2 "alias\.pth: tensor .w. is 1000000 x 1000000 but its storage holds only 4 elements" 0 -- \
        "$BIN" analyze -w "$L/alias.pth:w" -l "$S/labels.txt"
    limit_run "limits: zip bomb" 2 "bomb\.pth: .*(zip bomb|refused)" 1 -- "$BIN" inspect "$L/bomb.pth"
    limit_run "limits: deeply nested lists" 2 "deep\.pth: " 1 -- "$BIN" inspect "$L/deep.pth"
    limit_run "limits: deeply nested marks" 2 "marks\.pth: .*byte [0-9]+: .*(MARK|nest)" 1 -- "$BIN" inspect "$L/marks.pth"
    limit_run "limits: a billion-byte string in a 100-byte pickle" 2 "billion\.pth: .*byte [0-9]+: " 0 -- \
        "$BIN" inspect "$L/billion.pth"
    limit_run "limits: memo index of a billion" 2 "memo\.pth: .*byte [0-9]+: " 0 -- "$BIN" inspect "$L/memo.pth"
else
    skip "limits: .pth cases" "no python3 to write zip files"
fi

# A CSV whose first line is 100 MB long (one huge field of digits): refused
# before the whole line is buffered, or read with memory bounded by the
# line. Generated with head/tr, about 0.5 s.
{
    head -c $((100 * 1024 * 1024)) /dev/zero | tr '\0' '1'
    printf '\n'
} >"$L/longline.csv"
limit_run "limits: CSV with a 100 MB line" 2 "longline\.csv: no numeric rows \(line 1 has no number" 100 -- \
    "$BIN" analyze -s "$L/longline.csv" -l "$S/labels.txt"
rm -f "$L/longline.csv"

summary
