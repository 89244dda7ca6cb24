src/deep/ok.c
