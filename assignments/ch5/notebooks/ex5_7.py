# %% [markdown]
# ### 卷积是一个矩阵乘法 / A convolution is a matrix product
#
# 对 3x3 的输入和 2x2 的卷积核,输出是 2x2。把输入按行展开成长度 9 的向量 $\mathrm{vec}(X)$,
# 卷积就是 $\mathrm{vec}(Y) = C\,\mathrm{vec}(X)$,$C$ 是 4x9 的矩阵:每一行是卷积核放在一个位置上。
#
# For a 3x3 input and a 2x2 kernel the output is 2x2. With the input read row by row into a
# vector $\mathrm{vec}(X)$ of length 9, the convolution is $\mathrm{vec}(Y) = C\,\mathrm{vec}(X)$
# for a 4x9 matrix $C$: each row is the kernel placed at one position.

# %%
w = np.array([[1.0, 2.0],
              [3.0, 4.0]])
x = np.arange(1.0, 10.0).reshape(3, 3)
with nb.attempt("conv_forward and conv_matrix"):
    C = ex5_7.conv_matrix(w, (3, 3))
    nb.show("C", C)
    print("C @ vec(x) == vec(conv_forward(x, w)):",
          np.allclose(C @ x.ravel(), ex5_7.conv_forward(x, w).ravel()))

# %% [markdown]
# ### 反向传播乘以 $C^\top$ / The backward pass multiplies by $C^\top$
#
# 若 $\delta = \partial L / \partial Y$,则 $\partial L / \partial \mathrm{vec}(X) = C^\top \mathrm{vec}(\delta)$。
# 书中的做法 $\mathrm{rot180}(W) \tilde\otimes \delta$ 算的正是它,但不用构造 $C$。
#
# With $\delta = \partial L / \partial Y$, $\partial L / \partial \mathrm{vec}(X) = C^\top
# \mathrm{vec}(\delta)$. The book's $\mathrm{rot180}(W) \tilde\otimes \delta$ computes exactly that,
# without building $C$.

# %%
delta = np.array([[1.0, 0.0],
                  [0.0, -1.0]])
with nb.attempt("conv_backward_input"):
    dx = ex5_7.conv_backward_input(delta, w, (3, 3))
    nb.show("conv_backward_input(delta, w, (3, 3))", dx)
    print("equals C.T @ vec(delta):",
          np.allclose(dx.ravel(), ex5_7.conv_matrix(w, (3, 3)).T @ delta.ravel()))
    # stride 2 on a 5x5 input: the same relation holds
    x5 = np.arange(25.0).reshape(5, 5)
    C2 = ex5_7.conv_matrix(w, (5, 5), stride=2)
    d2 = np.ones((2, 2))
    print("stride 2, C is", C2.shape, "- equals C.T @ vec(delta):",
          np.allclose(ex5_7.conv_backward_input(d2, w, (5, 5), stride=2).ravel(), C2.T @ d2.ravel()))
