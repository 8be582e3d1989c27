#!/usr/bin/python3
"""Train the bundled Fashion-MNIST sample model and export what simdepth reads.

This script produces the committed default input of ``simdepth`` that lives
beside it in ``samples/fashion-mnist/``:

``weights.npy``
    The final classifier layer's weight matrix (``nn.Linear(64, 10).weight``),
    float32, shape (10, 64), C order, little-endian, written with ``np.save``.
``confusion.csv``
    The test-set confusion matrix: 10 lines of 10 comma-separated integer
    counts, no header; row = true class, column = predicted class.
``labels.txt``
    One line per class in class-index order: ``<wnid> <name>``, where wnid is
    the WordNet 3.0 noun id (``n`` + 8-digit synset offset).
``metrics.json``
    Test accuracy, epochs, seed, torch version, training time and so on.

Data are read straight from the gzipped IDX files that Debian's
``dataset-fashion-mnist`` package installs (no download).  Pass another
directory as the first argument to read them from elsewhere::

    python3 samples/fashion-mnist/train.py [DATA_DIR] [--epochs N] [--out DIR]

Everything is seeded and run with deterministic algorithms on 2 CPU threads,
so re-running with the same torch build gives the same outputs.  CI does not
run this script; it only documents how the committed outputs were made.
"""

import argparse
import gzip
import json
import os
import random
import struct
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as exc:  # e.g. a pyenv python3 shadowing Debian's
    sys.exit("train.py needs Debian's python3-torch and python3-numpy "
             "(apt-get install python3-torch python3-numpy "
             "dataset-fashion-mnist) and /usr/bin/python3: %s" % exc)

SEED = 20240601
DEFAULT_DATA_DIR = "/usr/share/datasets/fashion-mnist"
HERE = os.path.dirname(os.path.abspath(__file__))

# Fashion-MNIST class index -> (WordNet 3.0 noun id, single-token name).
# See README.md for why each synset was chosen.
LABELS = [
    ("n03595614", "T-shirt"),     # 0 T-shirt/top  -> tee_shirt.n.01 (jersey.n.03)
    ("n04489008", "trouser"),     # 1 Trouser      -> trouser.n.01
    ("n04021028", "pullover"),    # 2 Pullover     -> pullover.n.01
    ("n03236735", "dress"),       # 3 Dress        -> dress.n.01
    ("n03057021", "coat"),        # 4 Coat         -> coat.n.01
    ("n04133789", "sandal"),      # 5 Sandal       -> sandal.n.01
    ("n04197391", "shirt"),       # 6 Shirt        -> shirt.n.01
    ("n03472535", "sneaker"),     # 7 Sneaker      -> gym_shoe.n.01 (sneaker.n.01)
    ("n02774152", "bag"),         # 8 Bag          -> bag.n.04 (handbag)
    ("n02872752", "ankle_boot"),  # 9 Ankle boot   -> boot.n.01
]

IDX_DTYPES = {
    0x08: np.uint8, 0x09: np.int8, 0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8"),
}


def read_idx(path):
    """Read a (possibly gzipped) IDX file into a numpy array.

    IDX layout: two zero bytes, one dtype byte, one byte giving the number of
    dimensions, then that many big-endian uint32 sizes, then the data.
    """
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype_code not in IDX_DTYPES:
        raise ValueError("%s: not an IDX file" % path)
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    data = np.frombuffer(raw, dtype=IDX_DTYPES[dtype_code], offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError("%s: size mismatch" % path)
    return data.reshape(dims)


def find_file(data_dir, stem):
    """Locate e.g. train-images-idx3-ubyte(.gz) below data_dir."""
    for root, _dirs, files in os.walk(data_dir):
        for name in (stem + ".gz", stem):
            if name in files:
                return os.path.join(root, name)
    raise FileNotFoundError("%s(.gz) not found under %s" % (stem, data_dir))


def load_split(data_dir, prefix):
    images = read_idx(find_file(data_dir, prefix + "-images-idx3-ubyte"))
    labels = read_idx(find_file(data_dir, prefix + "-labels-idx1-ubyte"))
    assert images.shape[0] == labels.shape[0] and images.shape[1:] == (28, 28)
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    x = (x - 0.2860) / 0.3530  # Fashion-MNIST training-set mean / std
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


class SmallCNN(nn.Module):
    """conv(1->32,3x3)+ReLU+maxpool -> conv(32->64,3x3)+ReLU+maxpool
    -> flatten(64*7*7) -> Linear(3136, 64)+ReLU (the 64-d feature layer)
    -> Linear(64, 10) classifier (exported as weights.npy)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 7 * 7, 64)
        self.dropout = nn.Dropout(0.25)
        self.fc2 = nn.Linear(64, 10)

    def features(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)  # 32 x 14 x 14
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)  # 64 x 7 x 7
        return F.relu(self.fc1(torch.flatten(x, 1)))  # 64

    def forward(self, x):
        return self.fc2(self.dropout(self.features(x)))


def debian_version(package):
    """Version of an installed Debian package, or None."""
    try:
        import subprocess
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package],
                             capture_output=True, text=True, check=True)
        return out.stdout.strip() or None
    except (OSError, subprocess.CalledProcessError):
        return None


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    torch.set_num_threads(2)


@torch.no_grad()
def predict(model, x, batch=1000):
    model.eval()
    return torch.cat([model(x[i:i + batch]).argmax(1)
                      for i in range(0, len(x), batch)])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data_dir", nargs="?", default=DEFAULT_DATA_DIR,
                    help="directory holding the Fashion-MNIST IDX files "
                         "(default: %(default)s)")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--out", default=HERE,
                    help="output directory (default: beside this script)")
    args = ap.parse_args(argv)

    seed_everything(SEED)
    x_train, y_train = load_split(args.data_dir, "train")
    x_test, y_test = load_split(args.data_dir, "t10k")
    print("train %s, test %s" % (tuple(x_train.shape), tuple(x_test.shape)))

    model = SmallCNN()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(
        opt, T_max=args.epochs * ((len(x_train) + args.batch_size - 1)
                                  // args.batch_size))
    gen = torch.Generator().manual_seed(SEED)

    t0 = time.time()
    for epoch in range(1, args.epochs + 1):
        model.train()
        perm = torch.randperm(len(x_train), generator=gen)
        total = 0.0
        for i in range(0, len(perm), args.batch_size):
            idx = perm[i:i + args.batch_size]
            loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        acc = (predict(model, x_test) == y_test).float().mean().item()
        print("epoch %d  loss %.4f  test acc %.4f  (%.0f s)"
              % (epoch, total / len(x_train), acc, time.time() - t0),
              flush=True)
    train_seconds = time.time() - t0

    pred = predict(model, x_test)
    confusion = np.zeros((10, 10), dtype=np.int64)
    np.add.at(confusion, (y_test.numpy(), pred.numpy()), 1)
    accuracy = float(np.trace(confusion)) / float(confusion.sum())

    os.makedirs(args.out, exist_ok=True)
    w = model.fc2.weight.detach().numpy()
    w = np.ascontiguousarray(w, dtype=np.dtype("<f4"))
    assert w.shape == (10, 64)
    np.save(os.path.join(args.out, "weights.npy"), w)
    np.savetxt(os.path.join(args.out, "confusion.csv"), confusion,
               fmt="%d", delimiter=",")
    with open(os.path.join(args.out, "labels.txt"), "w") as f:
        for wnid, name in LABELS:
            f.write("%s %s\n" % (wnid, name))
    metrics = {
        "dataset": "Fashion-MNIST (Debian dataset-fashion-mnist)",
        "test_accuracy": round(accuracy, 4),
        "test_correct": int(np.trace(confusion)),
        "test_total": int(confusion.sum()),
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "learning_rate": args.lr,
        "optimizer": "Adam + cosine annealing",
        "seed": SEED,
        "torch_version": torch.__version__,
        "torch_debian_package": debian_version("python3-torch"),
        "dataset_debian_package": debian_version("dataset-fashion-mnist"),
        "numpy_version": np.__version__,
        "python_version": sys.version.split()[0],
        "num_threads": torch.get_num_threads(),
        "train_seconds": round(train_seconds, 1),
    }
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
        f.write("\n")
    print(json.dumps(metrics, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
