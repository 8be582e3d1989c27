"""NLTK's WordNetCorpusReader on Debian's WordNet 3.0, without nltk_data.

Shared by gen.py and baseline.py (bench/scale). NLTK's reader wants a
`lexnames` file beside the database, which Debian's wordnet-base does not
ship; so the database files are symlinked into a temporary directory (never
modified, never copied) and the standard 45-line lexnames file is written
there. WNSEARCHDIR overrides /usr/share/wordnet.
"""

import atexit
import os
import shutil
import tempfile
import warnings

warnings.simplefilter("ignore")

from nltk.corpus.reader.wordnet import WordNetCorpusReader  # noqa: E402

# WordNet 3.0's lexicographer files, in index order (lexnames(5WN)).
LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact "
    "noun.attribute noun.body noun.cognition noun.communication noun.event "
    "noun.feeling noun.food noun.group noun.location noun.motive noun.object "
    "noun.person noun.phenomenon noun.plant noun.possession noun.process "
    "noun.quantity noun.relation noun.shape noun.state noun.substance "
    "noun.time verb.body verb.change verb.cognition verb.communication "
    "verb.competition verb.consumption verb.contact verb.creation "
    "verb.emotion verb.motion verb.perception verb.possession verb.social "
    "verb.stative verb.weather adj.ppl").split()
POS = {"adj": 3, "adv": 4, "noun": 1, "verb": 2}


def open_wordnet(root=None):
    """A WordNetCorpusReader on ROOT (default $WNSEARCHDIR or
    /usr/share/wordnet)."""
    root = root or os.environ.get("WNSEARCHDIR") or "/usr/share/wordnet"
    if not os.path.isfile(os.path.join(root, "data.noun")):
        raise SystemExit("%s: no WordNet 3.0 database (data.noun); install "
                         "Debian's wordnet-base or set WNSEARCHDIR" % root)
    tmp = tempfile.mkdtemp(prefix="simdepth-wn-")
    atexit.register(shutil.rmtree, tmp, True)
    for name in os.listdir(root):
        src = os.path.join(root, name)
        if os.path.isfile(src):
            os.symlink(src, os.path.join(tmp, name))
    with open(os.path.join(tmp, "lexnames"), "w") as f:
        for i, name in enumerate(LEXNAMES):
            f.write("%02d\t%s\t%d\n" % (i, name, POS[name.split(".")[0]]))
    return WordNetCorpusReader(tmp, None)


def synset_of(wn, wnid):
    """The noun synset of a WordNet id such as n01440764."""
    return wn.synset_from_pos_and_offset(wnid[0], int(wnid[1:]))


def wnid_of(s):
    return "%s%08d" % (s.pos(), s.offset())
