"""Attack, class 7: ten large module globals of plain data (200,000 small lists in all), sent
by value: a grader that deep-copies every plain global for every check spends seconds of its
own CPU per student. The answers are honest (10/10); the grader's own CPU time for this file
must stay small."""
BIG_0 = [[j, j] for j in range(20_000)]
BIG_1 = [[j, j] for j in range(20_000)]
BIG_2 = [[j, j] for j in range(20_000)]
BIG_3 = [[j, j] for j in range(20_000)]
BIG_4 = [[j, j] for j in range(20_000)]
BIG_5 = [[j, j] for j in range(20_000)]
BIG_6 = [[j, j] for j in range(20_000)]
BIG_7 = [[j, j] for j in range(20_000)]
BIG_8 = [[j, j] for j in range(20_000)]
BIG_9 = [[j, j] for j in range(20_000)]
