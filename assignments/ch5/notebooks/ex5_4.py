# %% [markdown]
# ### 书中的例子 / The book's case
#
# 100x100x256 的输入,3x3 卷积得到 100x100x256;或者先用 1x1 卷积降到 64 个通道。时间复杂度数乘法,
# 空间复杂度数输出特征映射的元素。
#
# A 100x100x256 input and a 3x3 convolution to 100x100x256; or a 1x1 convolution to 64
# channels first. Time counts multiplications, space the elements of the output feature maps.

# %%
with nb.attempt("conv_cost and bottleneck_cost"):
    one = ex5_4.conv_cost(100, 3, 256, 256)
    two = ex5_4.bottleneck_cost(100, 3, 256, 64, 256)
    print(f"{'':>12} {'one 3x3 layer':>16} {'1x1 then 3x3':>16} {'ratio':>8}")
    for key in ("time", "space", "params"):
        print(f"{key:>12} {one[key]:>16,} {two[key]:>16,} {two[key] / one[key]:>8.2f}")

# %% [markdown]
# 换几个数试试:瓶颈层什么时候更省时间?什么时候反而占用更多空间?
# Try other numbers: when does the bottleneck save time, and when does it take more space?

# %%
with nb.attempt("conv_cost and bottleneck_cost"):
    for c_mid in (16, 64, 128, 256):
        b = ex5_4.bottleneck_cost(100, 3, 256, c_mid, 256)
        print(f"c_mid={c_mid:>3}: time {b['time']:>14,}  space {b['space']:>10,}")
