import tinydl as tf  # so the tutorial's tf.keras.* names are tinydl.keras's
from tinydl.keras import layers, models

mnist = tf.keras.datasets.mnist
(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train, x_test = x_train / 255.0, x_test / 255.0  # 归一化

model = models.Sequential([layers.Flatten(input_shape=(28, 28)),  # 将28x28的图像展平为一个784维的向量
    layers.Dense(128, activation='relu'),  # 第一个隐藏层,128个节点
    layers.Dropout(0.2),  # 防止过拟合
    layers.Dense(10, activation='softmax')  # 输出层,10个节点对应10个类别
])

model.compile(optimizer='adam',loss='sparse_categorical_crossentropy',metrics=['accuracy'])

model.fit(x_train, y_train, epochs=5)

test_loss, test_acc = model.evaluate(x_test, y_test, verbose=2)
print('\nTest accuracy:', test_acc)
