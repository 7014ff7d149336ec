# stands-for: https://github.com/pytorch/tutorials c53e7d4efc0e39e455c531d21ec7db28ba220214 beginner_source/blitz/cifar10_tutorial.py
# loss: \] loss: (\S+)
# exercises: torchvision datasets.CIFAR10(root=, train=, download=, transform=) with Compose(ToTensor, Normalize) over 3 channels, DataLoader(shuffle=, num_workers=2), iter/next over a loader, torchvision.utils.make_grid into matplotlib's imshow via .numpy(), f"{classes[labels[j]]:5s}" (__index__), a LeNet (Conv2d, MaxPool2d, F.relu, torch.flatten, Linear), nn.CrossEntropyLoss, optim.SGD(momentum=), torch.save/torch.load of a state dict, torch.max(outputs, 1) and outputs.data, zip over two tensors, label == prediction as a condition, per-class accuracy
"""The 60-minute blitz classifier: LeNet on CIFAR-10-shaped colour images (generated ones:
CIFAR-10 itself is not on this machine), with per-class accuracy at the end."""
import matplotlib.pyplot as plt
import numpy as np

import _offline
import tinydl as torch  # was: import torch
import tinydl.nn as nn  # was: import torch.nn as nn
import tinydl.nn.functional as F  # was: import torch.nn.functional as F
import tinydl.optim as optim  # was: import torch.optim as optim
import tinydl.vision as torchvision  # was: import torchvision
import tinydl.vision.transforms as transforms  # was: import torchvision.transforms as transforms

_offline.write_cifar_batches('./data/cifar-10-batches-py')

torch.manual_seed(0)
transform = transforms.Compose([transforms.ToTensor(),
                                transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
batch_size = 4
trainset = torchvision.datasets.CIFAR10(root='./data', train=True, download=True,
                                        transform=transform)
trainloader = torch.utils.data.DataLoader(trainset, batch_size=batch_size, shuffle=True,
                                          num_workers=2)
testset = torchvision.datasets.CIFAR10(root='./data', train=False, download=True,
                                       transform=transform)
testloader = torch.utils.data.DataLoader(testset, batch_size=batch_size, shuffle=False,
                                         num_workers=2)
classes = ('plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck')


def show(grid):
    picture = (grid / 2 + 0.5).numpy()            # undo Normalize for display
    plt.imshow(np.transpose(picture, (1, 2, 0)))  # (C, H, W) -> (H, W, C)
    plt.show()


images, labels = next(iter(trainloader))
show(torchvision.utils.make_grid(images))
print(' '.join(f'{classes[labels[j]]:5s}' for j in range(batch_size)))


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


net = LeNet()
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(net.parameters(), lr=0.002, momentum=0.9)

for epoch in range(2):
    running_loss = 0.0
    for i, (inputs, labels) in enumerate(trainloader):
        optimizer.zero_grad()
        loss = criterion(net(inputs), labels)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
        if i % 25 == 24:
            print(f'[{epoch + 1}, {i + 1:5d}] loss: {running_loss / 25:.3f}')
            running_loss = 0.0
print('Finished Training')

PATH = './cifar_net.pth'
torch.save(net.state_dict(), PATH)

images, labels = next(iter(testloader))
show(torchvision.utils.make_grid(images))
print('GroundTruth: ', ' '.join(f'{classes[labels[j]]:5s}' for j in range(4)))
net = LeNet()
net.load_state_dict(torch.load(PATH, weights_only=True))
_, predicted = torch.max(net(images), 1)
print('Predicted: ', ' '.join(f'{classes[predicted[j]]:5s}' for j in range(4)))

correct_by_class = {name: 0 for name in classes}
total_by_class = {name: 0 for name in classes}
with torch.no_grad():
    for images, labels in testloader:
        _, predictions = torch.max(net(images).data, 1)
        for label, prediction in zip(labels, predictions, strict=True):
            if label == prediction:
                correct_by_class[classes[label]] += 1
            total_by_class[classes[label]] += 1
for name in classes:
    print(f'Accuracy for class: {name:5s} is '
          f'{100 * correct_by_class[name] / max(total_by_class[name], 1):.1f} %')
