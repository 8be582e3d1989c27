#!/bin/sh
# Install the Debian 12 packages simdepth needs to build and test (the
# Python and R packages are the references the tests compare against).
# Run as root (or through sudo). Idempotent.
set -eu

packages="
  build-essential autoconf automake libtool pkg-config
  libopenblas-dev libjansson-dev libigraph-dev
  libgraphviz-dev graphviz libcairo2-dev libpango1.0-dev libpng-dev
  libcunit1-dev libzip-dev
  wordnet-base fonts-dejavu-core
  jq groff-base libxml2-utils poppler-utils
  valgrind time python3
  python3-numpy python3-scipy python3-sklearn python3-nltk r-cran-dendextend
"

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps.sh: run as root (e.g. sudo $0)" >&2
    exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $packages
