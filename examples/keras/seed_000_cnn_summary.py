import tinydl as tf  # so the tutorial's tf.keras.* names are tinydl.keras's
from tinydl.keras import datasets, layers, models
# 加载数据集
(train_images, train_labels), (test_images, test_labels) = datasets.mnist.load_data()
# 输出数据形状
train_images.shape, test_images.shape
# 编译器:Jupyter Notebook
# 图片可视化
import matplotlib.pyplot as plt
# 设置窗口大小为20*12单位英寸
plt.figure(figsize=(20, 12))
for i in range(20):
    # 设置子图行数为5,列数为10,i+1表示第几个子图
    plt.subplot(5, 10, i + 1)
    # 去掉坐标轴刻度
    plt.xticks([])
    plt.yticks([])
    # 显示图片
    plt.imshow(train_images[i], cmap=plt.cm.binary)
    # 显示标签
    plt.xlabel(train_labels[i])
plt.show()
# 调整数据到我们需要的格式
train_images = train_images.reshape((60000, 28, 28, 1))
test_images = test_images.reshape((10000, 28, 28, 1))
model = models.Sequential([
    # 卷积层:提取图片特征
    layers.Conv2D(32, (3, 3), input_shape=(28, 28, 1)),
    # Flatten层:将二维图片压缩为一维形式
    layers.Flatten(),
    # 全连接层:将特征进行进一步压缩
    layers.Dense(100),
    # 输出层:输出结果
    layers.Dense(10)
])
# 打印网络结构
model.summary()
model.compile(optimizer='adam',
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=['accuracy'])
history = model.fit(train_images, train_labels, epochs=3,
                    validation_data=(test_images, test_labels))
# --- not in the tutorial's text: it shows only the output of these lines, the first test
# --- image's ten scores and the digit they predict
pre = model.predict(test_images)
print(pre[0])
print(pre[0].argmax())
