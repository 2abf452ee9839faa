# %% [markdown]
# ### 1x1 卷积在每个像素上混合通道 / A 1x1 convolution mixes channels at each pixel
#
# 1x1 卷积不看邻近像素:在每个位置 $(i, j)$,输出的 $C_{out}$ 个通道是输入 $C_{in}$ 个通道的线性组合,
# 即同一个矩阵 $W \in \mathbb{R}^{C_{out} \times C_{in}}$ 乘以该像素的通道向量。
#
# A 1x1 convolution never looks at neighbouring pixels: at each position $(i, j)$ its
# $C_{out}$ output channels are linear combinations of the $C_{in}$ input channels, the same
# matrix $W \in \mathbb{R}^{C_{out} \times C_{in}}$ times that pixel's channel vector.

# %%
x = np.arange(1.0, 13.0).reshape(1, 3, 2, 2)      # N=1, C_in=3, 2x2 pixels
w = np.array([[1.0, 0.0, -1.0],                  # C_out=2
              [0.5, 0.5, 0.5]])
with nb.attempt("conv1x1"):
    y = ex5_3.conv1x1(x, w)
    nb.show("conv1x1(x, w)", y)
    pixel = x[0, :, 1, 0]
    print("the channels of pixel (1, 0):", pixel, "-> w @ pixel =", w @ pixel,
          "; conv1x1 gives", y[0, :, 1, 0])

# %% [markdown]
# ### 数一数参数 / Counting parameters: GoogLeNet's Inception 3a
#
# 输入 28x28x192。没有降维时 3x3 和 5x5 分支直接作用在 192 个通道上;先用 1x1 卷积降到 96 和 16
# 个通道,参数少了很多。
#
# The input is 28x28x192. Without reductions the 3x3 and 5x5 branches work on all 192
# channels; 1x1 reductions to 96 and 16 channels first cut the parameters a lot.

# %%
with nb.attempt("conv_params and inception_params"):
    print("one 3x3 layer 192 -> 128:", ex5_3.conv_params(192, 128, 3), "weights")
    plain = ex5_3.inception_params(192, 64, 128, 32)
    reduced = ex5_3.inception_params(192, 64, 128, 32, reduce3x3=96, reduce5x5=16)
    print(f"Inception 3a without reductions: {plain:,}; with them: {reduced:,} "
          f"({reduced / plain:.0%} of the weights)")
