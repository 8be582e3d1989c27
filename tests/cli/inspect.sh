#!/bin/bash
# simdepth — CLI tests of model-file loading: 'simdepth inspect', weights
# from .safetensors and PyTorch checkpoints in 'simdepth analyze',
# FILE:TENSOR, discovery of the classifier, and refusal of malicious pickles.
#
# Run by 'make check', or by hand from a build directory:
#   SIMDEPTH_TOP_SRCDIR=/path/to/src SIMDEPTH_BIN=./simdepth \
#       /path/to/src/tests/cli/inspect.sh
# Writes only under a mktemp directory. Needs jq.
set -u

here=$(cd "$(dirname "$0")" && pwd) || exit 99
# shellcheck source=lib.sh
. "$here/lib.sh"

BIN=${SIMDEPTH_BIN:-./simdepth}
SRC=${SIMDEPTH_TOP_SRCDIR:-$here/../..}
PTH=$SRC/tests/data/pth
ST=$SRC/tests/data/safetensors
T=$T_TMP

t_need_bin
command -v jq >/dev/null 2>&1 || { echo "jq is needed" >&2; exit 99; }

# Ten ImageNet fish and bird classes for the 10-class test models.
printf '%s\n' n01440764 n01443537 n01484850 n01491361 n01494475 \
    n01496331 n01498041 n01514668 n01514859 n01518878 > "$T/labels10.txt"

# ---- inspect
desc "inspect --help"
expect_ok -- "$BIN" inspect --help
desc "inspect: a torch.save zip checkpoint lists every tensor and marks fc.weight"
expect_ok -- "$BIN" inspect -n 10 "$PTH/resnet18_like.pth"
check "inspect marks fc.weight" -- grep -q '^\* fc\.weight ' "$T_OUT"
check "inspect lists conv1.weight with its 4-D shape" -- grep -q 'conv1.weight .*F32 .* x .* x .* x ' "$T_OUT"
check "inspect lists the int64 counters" -- grep -q 'num_batches_tracked .*I64 .*scalar' "$T_OUT"
desc "inspect --format json"
expect_ok -- "$BIN" inspect --format json -l "$T/labels10.txt" "$PTH/resnet18_like.pth"
check "json: selected is fc.weight" -- jq -e '.selected == "fc.weight" and .format == "pytorch-zip"' "$T_OUT"
check "json: fc.weight shape [10, 16]" -- jq -e '(.tensors[] | select(.name == "fc.weight") | .shape) == [10, 16]' "$T_OUT"
desc "inspect: legacy (non-zip) checkpoint"
expect_ok -- "$BIN" inspect --format json "$PTH/resnet18_like_legacy.pth"
check "legacy format recognised" -- jq -e '.format == "pytorch-legacy"' "$T_OUT"
desc "inspect: safetensors"
expect_ok -- "$BIN" inspect --format json "$ST/classifier.safetensors"
check "safetensors: two tensors, fc.weight selected" -- jq -e '(.tensors | length) == 2 and .selected == "fc.weight"' "$T_OUT"
desc "inspect: no FILE"
expect_fail 2 "missing FILE" -- "$BIN" inspect
desc "inspect: bad --classes"
expect_fail 2 "--classes" -- "$BIN" inspect -n x "$ST/classifier.safetensors"
desc "inspect: a text file is not a tensor file"
expect_fail 2 "not a tensor file" -- "$BIN" inspect "$T/labels10.txt"

# ---- analyze reads checkpoints and says which tensor it used
desc "analyze -w checkpoint: discovers fc.weight"
"$BIN" analyze -w "$PTH/resnet18_like.pth" -l "$T/labels10.txt" -o "$T/r.json" 2> "$T/err"
check "analyze exit 0" -- test $? -eq 0
check "the tensor used is named on stderr" -- grep -q "using tensor 'fc.weight' (10 x 16, F32)" "$T/err"
check "and in the report" -- jq -e '.inputs.tensor == "fc.weight"' "$T/r.json"
desc "analyze -q says nothing"
expect_ok -- "$BIN" analyze -q -w "$PTH/resnet18_like.pth" -l "$T/labels10.txt" -o "$T/q.json"
check "same numbers with the tensor named" -- bash -c "'$BIN' analyze -q -w '$PTH/resnet18_like.pth:fc.weight' -l '$T/labels10.txt' -o '$T/named.json' && diff <(jq -S 'del(.inputs)' '$T/q.json') <(jq -S 'del(.inputs)' '$T/named.json')"
check "zip and legacy checkpoints give the same report numbers" -- bash -c "'$BIN' analyze -q -w '$PTH/resnet18_like_legacy.pth' -l '$T/labels10.txt' -o '$T/legacy.json' && diff <(jq -S 'del(.inputs, .name)' '$T/q.json') <(jq -S 'del(.inputs, .name)' '$T/legacy.json')"
desc "analyze -w safetensors"
expect_ok -- "$BIN" analyze -q -w "$ST/classifier.safetensors" -l "$T/labels10.txt" -o "$T/st.json"
check "safetensors report names fc.weight" -- jq -e '.inputs.tensor == "fc.weight" and (.classes | length) == 10' "$T/st.json"
desc "analyze: FILE:TENSOR that is a bias"
expect_fail 2 "bias vectors are never class templates" -- "$BIN" analyze -w "$PTH/resnet18_like.pth:fc.bias" -l "$T/labels10.txt" -o "$T/bias.json"
check "no output for the bias" -- test ! -e "$T/bias.json"
desc "analyze: FILE:TENSOR that does not exist"
expect_fail 2 "no tensor named 'nope.weight'" -- "$BIN" analyze -w "$PTH/resnet18_like.pth:nope.weight" -l "$T/labels10.txt"

# An ambiguous file: two 10 x 2 float32 tensors with unusual names.
hdr='{"a.proj":{"dtype":"F32","shape":[10,2],"data_offsets":[0,80]},"b.proj":{"dtype":"F32","shape":[10,2],"data_offsets":[80,160]}}'
{
    printf "\\x$(printf %02x ${#hdr})\\x00\\x00\\x00\\x00\\x00\\x00\\x00"
    printf '%s' "$hdr"
    # 40 float32 values 0.5 .. 1.0 with alternating signs: bytes 00 00 X 3f/bf
    for k in $(seq 0 39); do
        if [ $((k % 2)) -eq 0 ]; then s=077; else s=277; fi
        printf "\\000\\000\\$(printf %03o $((k * 6)))\\$s"
    done
} > "$T/ambiguous.safetensors"
desc "analyze: ambiguous discovery lists the candidates"
expect_fail 2 "candidates: 'a.proj' (10 x 2), 'b.proj' (10 x 2)" -- "$BIN" analyze -w "$T/ambiguous.safetensors" -l "$T/labels10.txt"
desc "analyze: the ambiguity resolved by name"
expect_ok -- "$BIN" analyze -q -w "$T/ambiguous.safetensors:b.proj" -l "$T/labels10.txt" -o "$T/amb.json"

# ---- malicious checkpoints: refused, nothing executed
for f in evil_os_system evil_posix_system evil_eval evil_getattr evil_zip_os_system evil_zip_eval; do
    [ -f "$PTH/$f.pth" ] || continue
    rm -f /tmp/simdepth-pwned-*
    desc "refused: $f.pth (inspect)"
    expect_fail 2 "refused pickle global" -- "$BIN" inspect "$PTH/$f.pth"
    desc "refused: $f.pth (analyze)"
    expect_fail 2 "refused pickle global" -- "$BIN" analyze -w "$PTH/$f.pth" -l "$T/labels10.txt" -o "$T/evil.json"
    check "$f: no output file" -- test ! -e "$T/evil.json"
    check "$f: the command in the pickle did not run" -- bash -c '! ls /tmp/simdepth-pwned-* >/dev/null 2>&1'
done

summary
