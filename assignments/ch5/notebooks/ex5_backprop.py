# %% [markdown]
# ### 梯度检验 / A gradient check on a tiny layer
#
# 怎么知道反向传播写对了?用中心差分算数值梯度:把输入的一个元素加上、再减去一个很小的 $h$,
# 看损失变化多少。取损失 $L = \sum(\text{out} \odot \text{dout})$,那么 $\partial L/\partial \text{out} = \text{dout}$,
# backward 返回的 dx 应该与数值梯度一致(相对误差约 1e-8 或更小)。自动评分就是这样检查的。
#
# How do you know a backward pass is right? Compare it with a numerical gradient from centred
# differences: add a tiny $h$ to one entry of the input, subtract it, and see how the loss
# moves. With the loss $L = \sum(\text{out} \odot \text{dout})$, $\partial L/\partial \text{out}
# = \text{dout}$, so the dx your backward returns must match the numerical gradient (relative
# error around 1e-8 or less). The autograder checks exactly this.

# %%
from autograder.checks.gradcheck import numerical_gradient_array, rel_error

rng = np.random.default_rng(1)
x = rng.standard_normal((1, 1, 3, 3))
dout = rng.standard_normal((1, 1, 3, 3))
with nb.attempt("relu_forward and relu_backward"):
    out, cache = ex5_backprop.relu_forward(x)
    dx = ex5_backprop.relu_backward(dout, cache)
    numeric = numerical_gradient_array(lambda v: ex5_backprop.relu_forward(v)[0], x, dout)
    print(f"ReLU: relative error of dx: {rel_error(dx, numeric):.2e}")

# %% [markdown]
# 卷积层也一样:一个 1x1x4x4 的输入,两个 3x3 卷积核,步长 1,填充 1。
# The same for a convolutional layer: a 1x1x4x4 input, two 3x3 kernels, stride 1, padding 1.

# %%
x = rng.standard_normal((1, 1, 4, 4))
w = rng.standard_normal((2, 1, 3, 3))
b = rng.standard_normal(2)
param = {"stride": 1, "pad": 1}
with nb.attempt("conv_forward and conv_backward"):
    out, cache = ex5_backprop.conv_forward(x, w, b, param)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = ex5_backprop.conv_backward(dout, cache)
    forward = ex5_backprop.conv_forward
    for name, got, numeric in (
            ("dx", dx, numerical_gradient_array(lambda v: forward(v, w, b, param)[0], x, dout)),
            ("dw", dw, numerical_gradient_array(lambda v: forward(x, v, b, param)[0], w, dout)),
            ("db", db, numerical_gradient_array(lambda v: forward(x, w, v, param)[0], b, dout))):
        print(f"conv: relative error of {name}: {rel_error(got, numeric):.2e}")
