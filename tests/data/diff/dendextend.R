# Cophenetic correlation and Baker's gamma of two trees with R dendextend,
# for tests/cli/diff.sh: usage: Rscript dendextend.R DIST_A.csv DIST_B.csv [METHOD]
# DIST_*.csv are the 1 - S distance matrices of the two models (S min-max
# scaled over the whole matrix, diagonal 1, symmetrised), written by
# make_inputs.py; negative distances count as 0, as simdepth does. Prints
# "cor_cophenetic cor_bakers_gamma" with 15 significant digits.
suppressPackageStartupMessages(library(dendextend))
args <- commandArgs(trailingOnly = TRUE)
da <- as.matrix(read.csv(args[1], header = FALSE))
db <- as.matrix(read.csv(args[2], header = FALSE))
da[da < 0] <- 0; db[db < 0] <- 0
method <- if (length(args) > 2) args[3] else "average"
ta <- as.dendrogram(hclust(as.dist(da), method = method))
tb <- as.dendrogram(hclust(as.dist(db), method = method))
cat(sprintf("%.15g %.15g\n", cor_cophenetic(ta, tb), cor_bakers_gamma(ta, tb)))
