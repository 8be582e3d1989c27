#!/usr/bin/python3
"""Generate the NLTK golden files of the taxonomy suite (tests/test_taxonomy.c).

How to run (Debian 12; CI does NOT run this, the outputs are committed):

    /usr/bin/python3 tests/data/taxonomy/gen_nltk_golden.py [OUTDIR]

It needs Debian's python3-nltk (3.8) and wordnet-base (WordNet 3.0 in
/usr/share/wordnet, or $WNSEARCHDIR). Use /usr/bin/python3: a pyenv or venv
Python does not see Debian's nltk. /usr/share/wordnet is never modified: it is
copied to a temporary directory and the `lexnames` file NLTK's
WordNetCorpusReader insists on is written there.

OUTDIR defaults to the directory of this script. It writes:

nltk_pairs.tsv
    About 330 pairs of WordNet 3.0 noun synsets: seeded random pairs, pairs
    with instance synsets (people, cities: '@i' links), pairs with
    multi-parent synsets, ancestor/descendant pairs, siblings and cousins,
    identical pairs, pairs where the two LCS rules disagree, and a few named
    classics (chef/fireman, the NLTK docstring's example of the rules
    differing). For each pair: min/max depth of both synsets, the LCS under
    the reference rule (lowest_common_hypernyms(use_min_depth=True), a itself
    if it is a candidate, else the first by name) and under the "true" rule
    (use_min_depth=False, same pick), their depth (max_depth + 1), the number
    of tied candidates, shortest_path_distance of each synset to the LCS, the
    Wu-Palmer value computed from those, NLTK's own wup_similarity,
    shortest_path_distance(a, b) and path_similarity.

synthetic/data.noun, synthetic/index.noun
    A 26-synset database in WordNet's own format (true byte offsets, a licence
    header) built to hit every rule on purpose: tied candidates sorted by
    name, a synset that is its own LCS, min- versus max-depth rules that
    disagree, a shortest path to the LCS that goes above it, '@i' links, a
    '@' lemma pointer (not a synset hypernym, so ignored), mixed-case lemmas,
    a lemma whose senses are listed in index order different from file
    order, and two separate roots (no common subsumer).

synthetic_pairs.tsv
    The same columns as nltk_pairs.tsv for every ordered pair of synthetic
    synsets, computed by NLTK reading synthetic/.
"""

import os
import random
import shutil
import sys
import tempfile
import warnings

warnings.simplefilter("ignore")

from nltk.corpus.reader.wordnet import WordNetCorpusReader  # noqa: E402

LEXNAMES = """adj.all 3
adj.pert 3
adv.all 4
noun.Tops 1
noun.act 1
noun.animal 1
noun.artifact 1
noun.attribute 1
noun.body 1
noun.cognition 1
noun.communication 1
noun.event 1
noun.feeling 1
noun.food 1
noun.group 1
noun.location 1
noun.motive 1
noun.object 1
noun.person 1
noun.phenomenon 1
noun.plant 1
noun.possession 1
noun.process 1
noun.quantity 1
noun.relation 1
noun.shape 1
noun.state 1
noun.substance 1
noun.time 1
verb.body 2
verb.change 2
verb.cognition 2
verb.communication 2
verb.competition 2
verb.consumption 2
verb.contact 2
verb.creation 2
verb.emotion 2
verb.motion 2
verb.perception 2
verb.possession 2
verb.social 2
verb.stative 2
verb.weather 2
adj.ppl 3"""

SEED = 20250410
COLUMNS = [
    "id_a", "id_b", "name_a", "name_b",
    "min_depth_a", "max_depth_a", "min_depth_b", "max_depth_b",
    "ref_lcs", "ref_depth", "ref_n", "ref_len_a", "ref_len_b", "ref_wup",
    "true_lcs", "true_depth", "true_n", "true_len_a", "true_len_b",
    "true_wup", "nltk_wup", "path_distance", "path_similarity",
]


def write_lexnames(root):
    with open(os.path.join(root, "lexnames"), "w") as f:
        for i, line in enumerate(LEXNAMES.splitlines()):
            name, pos = line.split()
            f.write("%02d\t%s\t%s\n" % (i, name, pos))


def reader_for(files_dir):
    """A WordNetCorpusReader on a temporary copy of files_dir."""
    tmp = tempfile.mkdtemp(prefix="simdepth-wn-")
    for name in os.listdir(files_dir):
        src = os.path.join(files_dir, name)
        if os.path.isfile(src):
            shutil.copy(src, tmp)
    # The reader opens every part of speech; give it empty ones if missing.
    # Its version check reads data.adj, and any version but 3.0 makes it
    # load a mapping from nltk_data, so say 3.0 there.
    for name in ("index.adj", "index.adv", "index.verb", "data.adj",
                 "data.adv", "data.verb", "adj.exc", "adv.exc", "noun.exc",
                 "verb.exc"):
        path = os.path.join(tmp, name)
        if not os.path.exists(path):
            with open(path, "w") as f:
                if name == "data.adj":
                    f.write("  1 WordNet 3.0 Copyright 2006 by Princeton "
                            "University (version line only).  \n")
    write_lexnames(tmp)
    return WordNetCorpusReader(tmp, None), tmp


def pick(a, lch):
    return a if a in lch else lch[0]


def row(a, b):
    ref_l = a.lowest_common_hypernyms(b, use_min_depth=True)
    true_l = a.lowest_common_hypernyms(b, use_min_depth=False)
    out = {
        "id_a": "n%08d" % a.offset(), "id_b": "n%08d" % b.offset(),
        "name_a": a.name(), "name_b": b.name(),
        "min_depth_a": a.min_depth(), "max_depth_a": a.max_depth(),
        "min_depth_b": b.min_depth(), "max_depth_b": b.max_depth(),
    }
    for tag, lch in (("ref", ref_l), ("true", true_l)):
        if not lch:
            out.update({tag + "_lcs": "-", tag + "_depth": -1, tag + "_n": 0,
                        tag + "_len_a": -1, tag + "_len_b": -1,
                        tag + "_wup": "nan"})
            continue
        s = pick(a, lch)
        depth = s.max_depth() + 1
        la = a.shortest_path_distance(s)
        lb = b.shortest_path_distance(s)
        out.update({
            tag + "_lcs": s.name(), tag + "_depth": depth,
            tag + "_n": len(lch), tag + "_len_a": la, tag + "_len_b": lb,
            tag + "_wup": repr((2.0 * depth) / ((la + depth) + (lb + depth))),
        })
    w = a.wup_similarity(b)
    out["nltk_wup"] = "nan" if w is None else repr(w)
    if w is not None:
        assert out["ref_wup"] == repr(w), (a, b)
    d = a.shortest_path_distance(b)
    out["path_distance"] = -1 if d is None else d
    p = a.path_similarity(b)
    out["path_similarity"] = repr(0.0 if p is None else p)
    return out


def write_tsv(path, rows, comment):
    with open(path, "w") as f:
        for line in comment:
            f.write("# " + line + "\n")
        f.write("\t".join(COLUMNS) + "\n")
        for r in rows:
            f.write("\t".join(str(r[c]) for c in COLUMNS) + "\n")


# ------------------------------------------------------------------ WordNet

def wordnet_pairs(wn):
    rng = random.Random(SEED)
    nouns = sorted(wn.all_synsets("n"), key=lambda s: s.offset())
    parents = lambda s: s.hypernyms() + s.instance_hypernyms()  # noqa: E731
    instances = [s for s in nouns if s.instance_hypernyms()]
    multi = [s for s in nouns if len(parents(s)) > 1]
    pairs = []

    for _ in range(120):
        pairs.append((rng.choice(nouns), rng.choice(nouns)))
    for _ in range(40):
        pairs.append((rng.choice(instances), rng.choice(nouns)))
    for _ in range(20):
        pairs.append((rng.choice(instances), rng.choice(instances)))
    for _ in range(50):
        pairs.append((rng.choice(multi), rng.choice(nouns + multi)))
    for _ in range(15):
        s = rng.choice(multi + instances)
        anc = sorted(set(h for p in s.hypernym_paths() for h in p) - {s})
        x = rng.choice(anc)
        pairs.append((s, x))
        pairs.append((x, s))
    for _ in range(20):
        s = rng.choice(nouns)
        ps = parents(s)
        if not ps:
            continue
        gp = parents(rng.choice(ps)) or ps
        cousins = [c for g in gp for p in (g.hyponyms() + g.instance_hyponyms())
                   for c in [p] + p.hyponyms()]
        pairs.append((s, rng.choice(cousins)))
    for _ in range(10):
        s = rng.choice(nouns)
        pairs.append((s, s))
    # Pairs where the two LCS rules disagree.
    found = 0
    while found < 20:
        a = rng.choice(multi)
        below = sorted(a.closure(lambda s: s.hyponyms()))
        b = rng.choice(below) if below and rng.random() < 0.5 else \
            rng.choice(nouns)
        r = row(a, b)
        if r["ref_lcs"] != r["true_lcs"]:
            pairs.append((a, b))
            found += 1
    for x, y in (("chef.n.01", "fireman.n.01"), ("dog.n.01", "cat.n.01"),
                 ("walker_hound.n.01", "golden_retriever.n.01"),
                 ("paris.n.01", "london.n.01"),
                 ("einstein.n.01", "newton.n.02"),
                 ("mississippi.n.01", "nile.n.01"),
                 ("entity.n.01", "dog.n.01")):
        pairs.append((wn.synset(x), wn.synset(y)))
    return [row(a, b) for a, b in pairs]


# ---------------------------------------------------------------- synthetic

# (key, lemmas, parents, instance_parents, gloss). Keys name nodes here only.
SYNTHETIC = [
    ("root", ["root"], [], [], "the top"),
    ("eta", ["eta"], ["root"], [], "first of two tied parents"),
    ("zeta", ["zeta"], ["root"], [], "second of two tied parents"),
    ("x", ["xray"], ["zeta", "eta"], [], "child of both eta and zeta"),
    ("y", ["yankee"], ["eta", "zeta"], [], "another child of eta and zeta"),
    # A chain and a node m that sits both high (root) and low (d3): the
    # reference rule (min depth) and the true rule (max depth) disagree.
    ("d1", ["delta_one"], ["root"], [], "chain 1"),
    ("d2", ["delta_two"], ["d1"], [], "chain 2"),
    ("d3", ["delta_three"], ["d2"], [], "chain 3"),
    ("m", ["mike"], ["root", "d3"], [], "shallow and deep at once"),
    ("u", ["uniform"], ["m"], [], "child of m"),
    ("v", ["victor"], ["m"], [], "another child of m"),
    ("w", ["whiskey"], ["d3"], [], "sibling of m"),
    # The shortest path from a to its LCS L goes above L, through X.
    ("X", ["Xylo"], ["root"], [], "above L; a's direct parent too"),
    ("L", ["lima"], ["X"], [], "the LCS"),
    ("p1", ["papa_one"], ["L"], [], "long way down 1"),
    ("p2", ["papa_two"], ["p1"], [], "long way down 2"),
    ("a", ["alpha"], ["p2", "X"], [], "deep under L, one step under X"),
    ("b", ["bravo"], ["L"], [], "child of L"),
    # Instances ('@i') and the naming rule.
    ("inst", ["Charlie_Chaplin", "Chaplin"], [], ["u"],
     'an instance; "quoted example" kept out of the gloss'),
    ("bank2", ["Bank"], ["w"], [], "listed as sense 1 of bank in index.noun"),
    ("bank1", ["bank", "riverbank"], ["v"], ["inst"],
     "listed as sense 2 of bank; instance of inst and child of v"),
    ("lp", ["lemma_pointer"], ["b"], [], "has a lemma-level '@' pointer"),
    # A separate tree: no common subsumer with the rest.
    ("other", ["other_root"], [], [], "a second root"),
    ("o1", ["oscar"], ["other"], [], "under the second root"),
    ("o2", ["oscar_two"], ["o1", "other"], [], "two ways to the second root"),
    ("same", ["sierra"], ["eta", "eta"], [], "a duplicated pointer"),
]
# index.noun order of senses for lemmas shared by several synsets.
SENSE_ORDER = {"bank": ["bank2", "bank1"]}
HEADER = ["  1 Synthetic WordNet-format data for simdepth's tests.  ",
          "  2 Generated by gen_nltk_golden.py; not Princeton data.  "]


def synthetic_files(outdir):
    keys = [k for k, *_ in SYNTHETIC]
    info = {k: (lem, par, ipar, gloss) for k, lem, par, ipar, gloss in SYNTHETIC}

    def line_for(k, offsets):
        lem, par, ipar, gloss = info[k]
        ptrs = ["@ %08d n 0000" % offsets[p] for p in par]
        ptrs += ["@i %08d n 0000" % offsets[p] for p in ipar]
        ptrs += ["~ %08d n 0000" % offsets[c] for c in keys
                 if k in info[c][1]]
        ptrs += ["~i %08d n 0000" % offsets[c] for c in keys
                 if k in info[c][2]]
        if k == "lp":  # lemma pointer: ignored by NLTK's hypernyms()
            ptrs.append("@ %08d n 0101" % offsets["root"])
        if k == "root":  # a pointer to another part of speech
            ptrs.append("+ 00000999 v 0101")
        words = " ".join("%s 0" % w for w in lem)
        return "%08d 03 n %02x %s %03d %s | %s  \n" % (
            offsets[k], len(lem), words, len(ptrs), " ".join(ptrs), gloss)

    # Line lengths do not depend on offset values (all 8 digits).
    offsets = {k: 0 for k in keys}
    pos = sum(len(h) + 1 for h in HEADER)
    for k in keys:
        offsets[k] = pos
        pos += len(line_for(k, offsets))
    os.makedirs(os.path.join(outdir, "synthetic"), exist_ok=True)
    with open(os.path.join(outdir, "synthetic", "data.noun"), "w") as f:
        for h in HEADER:
            f.write(h + "\n")
        for k in keys:
            f.write(line_for(k, offsets))

    index = {}
    for k in keys:
        for w in info[k][0]:
            index.setdefault(w.lower(), []).append(k)
    for lemma, order in SENSE_ORDER.items():
        assert sorted(order) == sorted(index[lemma])
        index[lemma] = order
    with open(os.path.join(outdir, "synthetic", "index.noun"), "w") as f:
        for h in HEADER:
            f.write(h + "\n")
        for lemma in sorted(index):
            ks = index[lemma]
            f.write("%s n %d 1 @ %d 0 %s  \n" % (
                lemma, len(ks), len(ks),
                " ".join("%08d" % offsets[k] for k in ks)))
    return keys, offsets


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else here
    wndir = os.environ.get("WNSEARCHDIR") or "/usr/share/wordnet"
    temps = []

    wn, tmp = reader_for(wndir)
    temps.append(tmp)
    rows = wordnet_pairs(wn)
    write_tsv(os.path.join(outdir, "nltk_pairs.tsv"), rows, [
        "NLTK 3.8 on WordNet 3.0 (Debian wordnet-base): %d noun pairs, "
        "seed %d." % (len(rows), SEED),
        "Generated by tests/data/taxonomy/gen_nltk_golden.py; see "
        "tests/data/README-taxonomy.md.",
    ])

    keys, offsets = synthetic_files(outdir)
    syn, tmp = reader_for(os.path.join(outdir, "synthetic"))
    temps.append(tmp)
    nodes = [syn.synset_from_pos_and_offset("n", offsets[k]) for k in keys]
    rows = [row(a, b) for a in nodes for b in nodes]
    write_tsv(os.path.join(outdir, "synthetic_pairs.tsv"), rows, [
        "NLTK 3.8 on the synthetic database in synthetic/: all %d ordered "
        "pairs." % len(rows),
        "Generated by tests/data/taxonomy/gen_nltk_golden.py; see "
        "tests/data/README-taxonomy.md.",
    ])
    for t in temps:
        shutil.rmtree(t)


if __name__ == "__main__":
    main()
