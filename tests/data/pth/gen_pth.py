#!/usr/bin/python3
"""Test checkpoints for tests/test_pth.c (suite "pth").

How to run (from the repository root, with Debian 12's own Python, not a
pyenv one: it needs Debian's python3-torch 1.13 and python3-numpy 1.24):

    /usr/bin/python3 tests/data/pth/gen_pth.py

CI does not run this script; its outputs are committed. It rewrites every
*.pth and *.expected file in this directory. Values come from fixed seeds,
so they are the same on every run, but legacy checkpoints name their
storages by memory address, so their bytes differ from run to run.

What it writes:
  <case>.pth       torch.save() of a small state_dict or checkpoint, in the
                   zip format (PyTorch >= 1.6, the default) or, for *_legacy,
                   with _use_new_zipfile_serialization=False.
  <case>.expected  what a reader must find, in file order (see below).
  evil_*.pth       pickles that would run `touch MARKER` (or worse) if loaded
                   with pickle or torch.load; the reader must refuse them
                   without running anything. Generated, never loaded here
                   (pass --prove-malicious to check with Python's pickle, in a
                   child process, that each one really creates MARKER).
  refuse_*.pth     real torch.save() output that the restricted reader must
                   refuse (a pickled nn.Module, a NumPy scalar).

.expected format (text; '#' lines are comments):
  count N                          number of tensors
  T <name>\t<dtype>\t<ndim>\t<d0,d1,...>
  V <v0> <v1> ...                  for 1-D and 2-D tensors only: every
                                   element in row-major order of the logical
                                   tensor (strides applied), as Python's
                                   repr(float(x)), exact for every dtype here
"""
import io
import os
import pickle
import subprocess
import sys
import zipfile
from collections import OrderedDict

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
MARKER = "/tmp/simdepth-pwned-pth"
DTYPE = {
    torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.float64: "F64", torch.int64: "I64", torch.int32: "I32",
    torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL",
}


def out(name):
    return os.path.join(HERE, name)


def expected(name, tensors, note):
    """tensors: list of (name, tensor) in the order the file holds them."""
    lines = ["# %s: %s" % (name, note),
             "# written by gen_pth.py with torch %s" % torch.__version__,
             "count %d" % len(tensors)]
    for key, t in tensors:
        shape = ",".join(str(d) for d in t.shape)
        lines.append("T %s\t%s\t%d\t%s" % (key, DTYPE[t.dtype], t.dim(), shape))
        if t.dim() in (1, 2):
            vals = t.detach().reshape(-1).tolist()
            lines.append("V " + " ".join(repr(float(v)) for v in vals))
    with open(out(name + ".expected"), "w") as f:
        f.write("\n".join(lines) + "\n")


def save(name, obj, legacy=False, **kw):
    torch.save(obj, out(name + ".pth"), _use_new_zipfile_serialization=not legacy, **kw)


def small_net(seed, dtype=torch.float32):
    """conv + bn + linear; the bn brings running stats and an int64
    num_batches_tracked 0-d tensor."""
    torch.manual_seed(seed)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.Flatten(),
        torch.nn.Linear(4, 10))
    net.train()
    net(torch.randn(2, 3, 3, 3))  # moves the running stats off 0 and 1
    return OrderedDict((k, v.to(dtype) if v.is_floating_point() else v)
                       for k, v in net.state_dict().items())


class BasicBlock(torch.nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(cout)
        self.conv2 = torch.nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = torch.nn.Sequential(
                torch.nn.Conv2d(cin, cout, 1, stride, bias=False), torch.nn.BatchNorm2d(cout))


class ResNet18Like(torch.nn.Module):
    """torchvision's resnet18 layout (same state_dict names) at widths
    2, 4, 8, 16 instead of 64 ... 512, with num_classes=10."""

    def __init__(self, width=2, num_classes=10):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, width, 7, 2, 3, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(width)
        cin = width
        for i, mult in enumerate((1, 2, 4, 8)):
            cout = width * mult
            stride = 1 if i == 0 else 2
            layer = torch.nn.Sequential(BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1))
            setattr(self, "layer%d" % (i + 1), layer)
            cin = cout
        self.fc = torch.nn.Linear(cin, num_classes)


def items(sd):
    return list(sd.items())


def write_valid():
    sd32 = small_net(0)
    save("sd_f32", sd32)
    expected("sd_f32", items(sd32), "float32 state_dict, zip (prefix sd_f32)")
    save("sd_f32_legacy", sd32, legacy=True)
    expected("sd_f32_legacy", items(sd32), "float32 state_dict, legacy format")

    for dt, tag in ((torch.float16, "f16"), (torch.bfloat16, "bf16"), (torch.float64, "f64")):
        sd = small_net(1, dt)
        save("sd_" + tag, sd)
        expected("sd_" + tag, items(sd), "%s state_dict, zip" % tag)
        save("sd_%s_legacy" % tag, sd, legacy=True)
        expected("sd_%s_legacy" % tag, items(sd), "%s state_dict, legacy" % tag)

    # Every integer dtype and bool, and float16 values that exercise the
    # conversion: signed zero, a subnormal, the largest half, infinities.
    torch.manual_seed(2)
    ints = OrderedDict([
        ("i64", torch.tensor([[-(2 ** 40), -1, 0], [1, 7, 2 ** 40]], dtype=torch.int64)),
        ("i32", torch.tensor([-(2 ** 31), -5, 2 ** 31 - 1], dtype=torch.int32)),
        ("i16", torch.tensor([-32768, 3, 32767], dtype=torch.int16)),
        ("i8", torch.tensor([-128, 0, 127], dtype=torch.int8)),
        ("u8", torch.tensor([0, 128, 255], dtype=torch.uint8)),
        ("bool", torch.tensor([True, False, True])),
        ("f16_special", torch.tensor([0.0, -0.0, 2.0 ** -24, 6.1e-5, 65504.0, -2.5,
                                      float("inf"), float("-inf")], dtype=torch.float16)),
        ("bf16_special", torch.tensor([1e-40, -3.0e38, 1.0 / 3.0], dtype=torch.bfloat16)),
        ("scalar", torch.tensor(3.5)),
    ])
    save("dtypes", ints)
    expected("dtypes", items(ints), "integer, bool and special float values, zip")

    sd = small_net(3)
    save("nested_state_dict", {"state_dict": sd})
    expected("nested_state_dict", items(sd), "{'state_dict': sd}, zip")
    save("nested_model", {"model": sd}, legacy=True)
    expected("nested_model", items(sd), "{'model': sd}, legacy")
    save("nested_net", {"net": sd})
    expected("nested_net", items(sd), "{'net': sd}, zip")
    save("nested_model_state_dict", {"model_state_dict": sd, "epoch": 9})
    expected("nested_model_state_dict", items(sd), "{'model_state_dict': sd, 'epoch': 9}")

    # A training checkpoint: epoch, an optimizer state with momentum tensors
    # (skipped: the weights are under 'state_dict'), strings, a float, bytes
    # (pickled through _codecs.encode in protocol 2), None, a tuple.
    torch.manual_seed(4)
    net = torch.nn.Linear(4, 10)
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    net(torch.randn(3, 4)).sum().backward()
    opt.step()
    sd = net.state_dict()
    ckpt = {"epoch": 3, "arch": "linear", "best_acc1": 0.625, "note": b"\x00bytes",
            "extra": None, "shape": (10, 4), "state_dict": sd, "optimizer": opt.state_dict()}
    save("nested_epoch", ckpt)
    expected("nested_epoch", items(sd), "training checkpoint with optimizer state, zip")
    save("nested_epoch_legacy", ckpt, legacy=True)
    expected("nested_epoch_legacy", items(sd), "training checkpoint, legacy")

    # No wrapper key: nested dicts are flattened with dots; int keys
    # (optimizer state) become decimal.
    torch.manual_seed(5)
    flat = {"encoder": {"w": torch.randn(2, 3), "inner": {"b": torch.randn(3)}},
            "decoder": {"w": torch.randn(3, 2)}, "step": 7,
            "optim": {"state": {0: {"momentum_buffer": torch.randn(2)}}}}
    save("flatten", flat)
    expected("flatten", [("encoder.w", flat["encoder"]["w"]),
                         ("encoder.inner.b", flat["encoder"]["inner"]["b"]),
                         ("decoder.w", flat["decoder"]["w"]),
                         ("optim.state.0.momentum_buffer",
                          flat["optim"]["state"][0]["momentum_buffer"])],
             "nested dicts without a wrapper key, zip")

    # DataParallel / DistributedDataParallel prefix every name with "module.".
    sd = small_net(6)
    dp = OrderedDict(("module." + k, v) for k, v in sd.items())
    save("dataparallel", dp)
    expected("dataparallel", items(dp), "'module.' prefixed state_dict, zip")

    # Views sharing one storage: strided, transposed, offset.
    torch.manual_seed(7)
    w = torch.randn(5, 6)
    views = OrderedDict([("w", w), ("cols", w[:, ::2]), ("t", w.t()), ("rows", w[3:]),
                         ("mixed", w[1:, 1::2]), ("elem", w[2, 3:5]),
                         ("d64", torch.randn(4, 3, dtype=torch.float64)[1:, 1:])])
    for v in views.values():
        assert v.storage_offset() >= 0
    assert views["mixed"].storage_offset() == 7 and not views["mixed"].is_contiguous()
    save("views", views)
    expected("views", items(views), "views of one storage (strides, offsets), zip")
    save("views_legacy", views, legacy=True)
    expected("views_legacy", items(views), "views of one storage, legacy")

    # resnet18's layout and names, tiny widths; torchvision is not needed.
    torch.manual_seed(0)
    rn = ResNet18Like()
    sd = rn.state_dict()
    save("resnet18_like", sd)
    expected("resnet18_like", items(sd), "resnet18 layout at width 2, num_classes=10, zip")
    save("resnet18_like_legacy", {"epoch": 90, "arch": "resnet18", "state_dict": sd},
         legacy=True)
    expected("resnet18_like_legacy", items(sd), "resnet18-like checkpoint, legacy")

    # Zip written to a stream: the prefix is "archive", not the file stem.
    sd = small_net(8)
    buf = io.BytesIO()
    torch.save(sd, buf)
    with open(out("prefix_archive.pth"), "wb") as f:
        f.write(buf.getvalue())
    with zipfile.ZipFile(out("prefix_archive.pth")) as z:
        assert z.namelist()[0] == "archive/data.pkl", z.namelist()
    expected("prefix_archive", items(sd), "zip with prefix 'archive' (saved to a stream)")

    # The same checkpoint re-zipped with every entry deflated and another
    # prefix (torch.load reads it too).
    with zipfile.ZipFile(out("prefix_archive.pth")) as zin, \
            zipfile.ZipFile(out("deflated.pth"), "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr("weights/" + info.filename.split("/", 1)[1], zin.read(info))
    assert torch.load(out("deflated.pth")).keys() == sd.keys()
    expected("deflated", items(sd), "deflated zip entries, prefix 'weights'")

    # Other pickle protocols: 4 (FRAME, MEMOIZE, STACK_GLOBAL,
    # SHORT_BINUNICODE) and 5; and protocol 1 (no PROTO, INT for bools) in a zip.
    sd = small_net(9)
    save("proto4", sd, pickle_protocol=4)
    expected("proto4", items(sd), "pickle protocol 4, zip")
    save("proto5_legacy", sd, legacy=True, pickle_protocol=5)
    expected("proto5_legacy", items(sd), "pickle protocol 5, legacy")
    save("proto1", sd, pickle_protocol=1)
    expected("proto1", items(sd), "pickle protocol 1, zip")

    # torch.save(tensor) and torch.save(parameter): one tensor named "".
    torch.manual_seed(10)
    p = torch.nn.Parameter(torch.randn(3, 2))
    save("parameter", p)
    expected("parameter", [("", p)], "a bare nn.Parameter (_rebuild_parameter), zip")


# ---- pickles that must be refused ----

class Reduce:
    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def evil_pickles():
    touch = "touch " + MARKER
    ev = OrderedDict()
    # posix.system: what pickle.dumps writes for os.system on Linux.
    ev["posix_system"] = pickle.dumps(Reduce(os.system, (touch,)), protocol=2)
    # The same call spelled os.system (a hand-written GLOBAL).
    ev["os_system"] = (b"\x80\x02cos\nsystem\nX" + len(touch).to_bytes(4, "little") +
                       touch.encode() + b"\x85R.")
    # Protocol 3, because protocol 2 renames builtins to __builtin__.
    ev["eval"] = pickle.dumps(
        Reduce(eval, ("__import__('os').system(%r)" % touch,)), protocol=3)
    # getattr(__import__('os'), 'system')(touch): REDUCE on builtins.getattr.
    ev["getattr"] = (b"\x80\x02cbuiltins\ngetattr\ncbuiltins\n__import__\nX\x02\x00\x00\x00os"
                     b"\x85RX\x06\x00\x00\x00system\x86RX" + len(touch).to_bytes(4, "little") +
                     touch.encode() + b"\x85R.")
    # Protocol 4 names globals with STACK_GLOBAL.
    ev["stack_global"] = pickle.dumps(Reduce(os.system, (touch,)), protocol=4)
    return ev


def legacy_prefix():
    """The three pickles a legacy checkpoint starts with, as torch writes them."""
    buf = io.BytesIO()
    torch.save({}, buf, _use_new_zipfile_serialization=False)
    data = buf.getvalue()
    f = io.BytesIO(data)
    up = pickle.Unpickler(f)
    for _ in range(3):
        up.load()
    return data[:f.tell()]


def write_evil(prove):
    ev = evil_pickles()
    for name, data in ev.items():
        # bare pickle (starts with \x80\x02 or \x80\x04: read as a legacy file)
        with open(out("evil_%s.pth" % name), "wb") as f:
            f.write(data)
        # inside a zip, as archive/data.pkl
        with zipfile.ZipFile(out("evil_zip_%s.pth" % name), "w", zipfile.ZIP_STORED) as z:
            z.writestr("archive/data.pkl", data)
            z.writestr("archive/version", "3\n")
    # a well-formed legacy header followed by the malicious object
    with open(out("evil_legacy_header.pth"), "wb") as f:
        f.write(legacy_prefix() + ev["posix_system"] + pickle.dumps([], protocol=2))
    if prove:
        for name, data in ev.items():
            if os.path.exists(MARKER):
                os.unlink(MARKER)
            subprocess.run([sys.executable, "-c",
                            "import pickle,sys; pickle.loads(sys.stdin.buffer.read())"],
                           input=data, check=False)
            print("%-14s creates %s: %s" % (name, MARKER, os.path.exists(MARKER)))
            if os.path.exists(MARKER):
                os.unlink(MARKER)

    # Real torch.save() output the restricted reader refuses.
    torch.manual_seed(11)
    torch.save(torch.nn.Linear(2, 2), out("refuse_module.pth"))
    sd = torch.nn.Linear(2, 2).state_dict()
    torch.save({"state_dict": sd, "best_acc": np.float64(0.5)}, out("refuse_numpy.pth"))


def main():
    prove = "--prove-malicious" in sys.argv[1:]
    write_valid()
    write_evil(prove)


if __name__ == "__main__":
    main()
