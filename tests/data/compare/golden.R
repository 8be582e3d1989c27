# Golden files of the "compare" suite (tests/test_compare.c), part 2 of 2:
# R dendextend on the tree pairs that gen_golden.py wrote.
#
#   Rscript tests/data/compare/golden.R      (from the repository root)
#
# Debian 12: r-base-core 4.2, r-cran-dendextend 1.16.0. Reads
# tree_pairs.csv and trees/<name>.csv (SciPy linkage matrices: left, right,
# height, size; ids < n are leaves 0 .. n-1, id n + i is row i), writes
# dendextend.csv, bk.csv and untangle.csv. Deterministic.
suppressPackageStartupMessages(library(dendextend))
options(digits = 17)
dendextend_options("warn", FALSE)

here <- "tests/data/compare"

# A SciPy linkage matrix as an R hclust: merge rows keep the row order and
# the child order (leaf i becomes -(i + 1), row r becomes r + 1), so R's
# dendrogram has SciPy's leaves_list order and cutree(k) undoes the same
# merges.
scipy_to_hclust <- function(z) {
    n <- nrow(z) + 1
    conv <- function(id) ifelse(id < n, -(id + 1), id - n + 1)
    merge <- cbind(conv(z$left), conv(z$right))
    storage.mode(merge) <- "integer"
    # hclust's order: the leaves left to right (pre-order, left first).
    ord <- integer(0)
    walk <- function(id) {
        if (id < n) return(id + 1)
        c(walk(z$left[id - n + 1]), walk(z$right[id - n + 1]))
    }
    ord <- walk(2 * n - 2)
    structure(list(merge = merge, height = z$height, order = as.integer(ord),
                   labels = as.character(0:(n - 1)), method = "scipy",
                   call = match.call(), dist.method = "scipy"),
              class = "hclust")
}

read_tree <- function(name) {
    read.csv(file.path(here, "trees", paste0(name, ".csv")), comment.char = "#")
}

fmt <- function(x) sprintf("%.17g", x)

pairs <- read.csv(file.path(here, "tree_pairs.csv"), comment.char = "#",
                  stringsAsFactors = FALSE)
# No comment lines in the outputs (the test's CSV reader has none); see
# README.md for what each column is.
out <- c("case,n,entanglement,cophenetic,bakers_gamma")
bk_out <- c("case,k,bk")
un_out <- c("case,before,after")
for (i in seq_len(nrow(pairs))) {
    za <- read_tree(pairs$tree_a[i])
    zb <- read_tree(pairs$tree_b[i])
    n <- nrow(za) + 1
    ha <- scipy_to_hclust(za)
    hb <- scipy_to_hclust(zb)
    da <- as.dendrogram(ha)
    db <- as.dendrogram(hb)
    stopifnot(identical(order.dendrogram(da), ha$order))
    ent <- entanglement(da, db, L = 1.5)
    coph <- cor_cophenetic(da, db)
    gam <- cor_bakers_gamma(da, db)
    out <- c(out, paste(pairs$case[i], n, fmt(ent), fmt(coph), fmt(gam), sep = ","))
    if (n >= 3) {
        ks <- 2:(n - 1)
        bks <- Bk(da, db, k = ks)
        for (j in seq_along(ks))
            bk_out <- c(bk_out, paste(pairs$case[i], ks[j], fmt(as.numeric(bks[[j]])),
                                      sep = ","))
    }
    if (pairs$case[i] %in% c("real_a_b", "jitter40", "rand30_0", "rand60_0")) {
        u <- untangle(da, db, method = "step2side")
        un_out <- c(un_out, paste(pairs$case[i], fmt(ent),
                                  fmt(entanglement(u[[1]], u[[2]], L = 1.5)), sep = ","))
    }
}
writeLines(out, file.path(here, "dendextend.csv"))
writeLines(bk_out, file.path(here, "bk.csv"))
writeLines(un_out, file.path(here, "untangle.csv"))
