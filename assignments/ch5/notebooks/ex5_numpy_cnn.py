# %% [markdown]
# ### 训练曲线 / The training curve of the small CNN
#
# 用你的层搭一个小 CNN:Conv2D(1, 8, 3, 1, 1) → ReLU → MaxPooling(2, 2) → Flatten → Linear(128, 4),
# 在随题提供的 8x8 "条纹方向"数据集上训练 100 步 SGD(批量 32,学习率 0.8),画出损失(没有
# matplotlib 时打印成表格),再看留出集上的准确率。公开检查 `test_training` 做的就是这件事,要求至少 90%。
#
# A small CNN of your layers, Conv2D(1, 8, 3, 1, 1) → ReLU → MaxPooling(2, 2) → Flatten →
# Linear(128, 4), trained for 100 SGD steps (batches of 32, learning rate 0.8) on the shipped
# 8x8 "bar orientation" data set: the loss curve (a table without matplotlib), then the
# held-out accuracy. The public check `test_training` does the same and asks for 90%.

# %%
from autograder.checks.data import load

data = load("ch5", "shapes")
x_train, y_train = data["x_train"] / 255.0, data["y_train"].astype(np.int64)
x_test, y_test = data["x_test"] / 255.0, data["y_test"].astype(np.int64)
print("training images:", x_train.shape, " classes:", ", ".join(map(str, data["classes"])))

rng = np.random.default_rng(0)
losses = []
with nb.attempt("the small CNN"):
    conv = ex5_numpy_cnn.Conv2D(1, 8, 3, 1, 1)
    conv.weights = rng.standard_normal((8, 1, 3, 3)) * np.sqrt(2.0 / 9)
    conv.bias = np.zeros(8)
    linear = ex5_numpy_cnn.Linear(128, 4)
    linear.weights = rng.standard_normal((128, 4)) * np.sqrt(1.0 / 128)
    linear.bias = np.zeros(4)
    relu, pool, flatten = ex5_numpy_cnn.ReLU(), ex5_numpy_cnn.MaxPooling(2, 2), ex5_numpy_cnn.Flatten()
    loss_fn = ex5_numpy_cnn.SoftmaxCrossEntropy()

    def predict(images):  # conv -> relu -> pool -> flatten -> linear
        return linear.forward(flatten.forward(pool.forward(relu.forward(conv.forward(images)))))

    for step in range(100):
        batch = rng.choice(len(y_train), 32, replace=False)
        losses.append(loss_fn.forward(predict(x_train[batch]), y_train[batch]))
        g = flatten.backward(linear.backward(loss_fn.backward()))  # back through the same layers
        conv.backward(relu.backward(pool.backward(g)))
        conv.update(0.8)
        linear.update(0.8)
    accuracy = np.mean(predict(x_test).argmax(axis=1) == y_test)
    nb.plot(losses, title="training loss / 训练损失", xlabel="step", ylabel="loss")
    print(f"held-out accuracy / 留出集准确率: {accuracy:.1%}")
