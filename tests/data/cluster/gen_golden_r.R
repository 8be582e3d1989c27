#!/usr/bin/Rscript
# Golden files from R's dbscan::hdbscan() for tests/test_cluster.c.
#
# How to run (from the repository root, after gen_golden.py has written the
# .npy matrices; Debian 12's r-base-core and r-cran-dbscan 1.1-11):
#
#     Rscript tests/data/cluster/gen_golden_r.R
#
# CI does not run it; its outputs are committed. For every matrix S listed
# below it writes <matrix>.rdbscan.expected with the labels of
#
#     dbscan::hdbscan(as.dist(1 - S), minPts = 5)$cluster
#
# (0 = noise, clusters 1 .. k in R's own numbering), and, when the shared
# data is present, ViTB_CCSM.rdbscan.expected for the functional similarity
# of ../shared/data/mini-imagenet-vitb/vitb_confusion.npy built as the
# reference builds it: (M + t(M)) / 2, diagonal 1 (the reference's min-max
# scaling that follows is the identity here: minimum 0, maximum 1). The
# perceived and WordNet sources are left out: their preprocessing needs
# float32 arithmetic or NumPy's random stream, which R does not have.

suppressMessages(library(dbscan))

here <- (function() {
  args <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", args[grep("^--file=", args)])
  if (length(f) == 1) dirname(normalizePath(f)) else "tests/data/cluster"
})()

# A minimal reader for the NumPy .npy files gen_golden.py writes: format
# 1.0, little-endian '<f8' or '<f4', C order, 2-D.
read_npy <- function(path) {
  con <- file(path, "rb")
  on.exit(close(con))
  magic <- readBin(con, "raw", 6)
  stopifnot(identical(magic, as.raw(c(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59))))
  version <- readBin(con, "raw", 2)
  stopifnot(version[1] == as.raw(1))
  hlen <- readBin(con, "integer", 1, size = 2, signed = FALSE,
                  endian = "little")
  hdr <- rawToChar(readBin(con, "raw", hlen))
  descr <- sub(".*'descr': *'([^']*)'.*", "\\1", hdr)
  stopifnot(grepl("'fortran_order': *False", hdr))
  shape <- as.integer(strsplit(sub(".*'shape': *\\(([0-9, ]*)\\).*", "\\1",
                                   hdr), ", *")[[1]])
  size <- switch(descr, "<f8" = 8, "<f4" = 4, stop("dtype ", descr))
  v <- readBin(con, "double", prod(shape), size = size, endian = "little")
  matrix(v, nrow = shape[1], ncol = shape[2], byrow = TRUE)
}

write_expected <- function(name, what, labels) {
  path <- file.path(here, paste0(name, ".rdbscan.expected"))
  lines <- c(
    paste0("# ", what),
    paste0("# produced by gen_golden_r.R: dbscan::hdbscan(as.dist(1 - S), ",
           "minPts = 5)$cluster (0 = noise)"),
    paste0("R ", getRversion()),
    paste0("dbscan ", packageVersion("dbscan")),
    paste0("matrix ", name),
    "method rdbscan",
    "min_cluster_size 5",
    paste0("n ", length(labels)),
    paste(c("labels", labels), collapse = " "))
  writeLines(lines, path)
}

for (m in c("blobs120", "blobs100", "rand80", "ties64", "tieblocks90",
            "geo150", "f32cos50", "dups40")) {
  S <- read_npy(file.path(here, paste0(m, ".npy")))
  h <- hdbscan(as.dist(1 - S), minPts = 5)
  write_expected(m, paste0(m, ".npy (see gen_golden.py)"), h$cluster)
}

shared <- file.path(here, "..", "..", "..", "..", "shared", "data",
                    "mini-imagenet-vitb", "vitb_confusion.npy")
if (file.exists(shared)) {
  M <- read_npy(shared)
  S <- (M + t(M)) / 2
  diag(S) <- 1
  stopifnot(min(S) == 0, max(S) == 1)
  h <- hdbscan(as.dist(1 - S), minPts = 5)
  write_expected("ViTB_CCSM",
                 "ViTB_CCSM: (M + t(M)) / 2, diagonal 1, of vitb_confusion.npy",
                 h$cluster)
}
