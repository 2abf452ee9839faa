# %% [markdown]
# ### rot180:旋转 180 度 / rot180: turning by 180 degrees
#
# `rot180` 把矩阵上下翻转、再左右翻转:`out[i, j] = a[M-1-i, N-1-j]`。右下角的元素转到左上角。
# `rot180` flips a matrix upside down and left to right: `out[i, j] = a[M-1-i, N-1-j]`; the
# bottom-right entry comes to the top left.

# %%
A = np.arange(1.0, 7.0).reshape(2, 3)
nb.show("A", A)
with nb.attempt("rot180"):
    nb.show("rot180(A)", ex5_2.rot180(A))
    print("out[0, 0] == A[1, 2]:", ex5_2.rot180(A)[0, 0] == A[1, 2])

# %% [markdown]
# ### 互相关与宽卷积 / Cross-correlation and the wide convolution
#
# 宽卷积 $W \tilde\otimes X$ 先在 $X$ 的上下各补 $U-1$ 行零、左右各补 $V-1$ 列零,得到 $\tilde X$,
# 再与 $W$ 做互相关。下面 $W$ 是 2x2、$X$ 是 3x3:$\tilde X$ 是 5x5,结果是 $(3+2-1) \times (3+2-1) = 4 \times 4$。
# 结果左上角只有一项:$W$ 的右下角 $w_{22}$ 乘以 $X$ 的左上角 $x_{11}$。
#
# The wide convolution $W \tilde\otimes X$ pads $X$ with $U-1$ rows of zeros above and below
# and $V-1$ columns on each side ($\tilde X$), then cross-correlates with $W$. Below, $W$ is
# 2x2 and $X$ is 3x3: $\tilde X$ is 5x5 and the result $4 \times 4$. Its top-left entry has a
# single term: $W$'s bottom-right $w_{22}$ times $X$'s top-left $x_{11}$.

# %%
W = np.array([[1.0, 2.0],
              [3.0, 4.0]])
X = np.arange(1.0, 10.0).reshape(3, 3)
X_tilde = np.zeros((5, 5))
X_tilde[1:4, 1:4] = X
nb.show("X~ (X padded with one row and one column of zeros on each side)", X_tilde)
with nb.attempt("xcorr2d and wide_conv2d"):
    nb.show("xcorr2d(X, W), valid: (3-2+1) x (3-2+1)", ex5_2.xcorr2d(X, W))
    wide = ex5_2.wide_conv2d(W, X)
    nb.show("wide_conv2d(W, X)", wide)
    print("top-left == w22 * x11 =", W[1, 1] * X[0, 0], ":", wide[0, 0] == W[1, 1] * X[0, 0])
    print("same as xcorr2d(X~, W):", np.allclose(wide, ex5_2.xcorr2d(X_tilde, W)))

# %% [markdown]
# ### 验证 (5.13) / Checking (5.13) numerically
#
# $\mathrm{rot180}(W) \tilde\otimes X = \mathrm{rot180}(X) \tilde\otimes W$:两边都等于 $W$ 与 $X$
# 的真正的(翻转核的)全卷积。一行的情形可以和 NumPy 的 `np.convolve` 比较。数值上相等不等于证明:
# 证明写在答题纸里。
#
# Both sides equal the true (kernel-flipping) full convolution of $W$ and $X$; for one row it
# is NumPy's `np.convolve`. Equal numbers are not a proof: the proof goes in the answer sheet.

# %%
rng = np.random.default_rng(0)
W2, X2 = rng.integers(-3, 4, (2, 3)).astype(float), rng.integers(-3, 4, (4, 5)).astype(float)
with nb.attempt("(5.13)"):
    left = ex5_2.wide_conv2d(ex5_2.rot180(W2), X2)
    right = ex5_2.wide_conv2d(ex5_2.rot180(X2), W2)
    nb.show("rot180(W) ~* X", left)
    print("(5.13) holds here:", np.allclose(left, right))
    w_row, x_row = np.array([[1.0, 2.0, 3.0]]), np.array([[1.0, 0.0, -1.0, 2.0]])
    print("one row, against np.convolve:",
          np.allclose(ex5_2.wide_conv2d(ex5_2.rot180(w_row), x_row)[0],
                      np.convolve(w_row[0], x_row[0])))
