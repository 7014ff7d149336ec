# stands-for: https://github.com/pytorch/examples 77f55b912142e11fcfdf5b530231fb9c52f181e8 time_sequence_prediction/train.py
# loss: (?m)^loss: (\S+)
# exercises: two nn.LSTMCell stepped by hand over input.split(1, dim=1), float64 models (torch.zeros(..., dtype=torch.double), module.double()), torch.cat(outputs, dim=1), nn.MSELoss, optim.LBFGS(lr=0.8) with a closure, torch.save of a NumPy array to an open file and torch.load(weights_only=False), torch.from_numpy, no_grad, detach().numpy(), matplotlib figures saved to files
"""Learn sine waves with two stacked LSTM cells, optimised by L-BFGS, then let the model
continue the waves on its own for a while and draw them."""
import argparse

import matplotlib
import numpy as np

matplotlib.use('Agg')
import matplotlib.pyplot as plt

import tinydl as torch  # was: import torch
import tinydl.nn as nn  # was: import torch.nn as nn
import tinydl.optim as optim  # was: import torch.optim as optim

HIDDEN = 51


class WaveModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.cell1 = nn.LSTMCell(1, HIDDEN)
        self.cell2 = nn.LSTMCell(HIDDEN, HIDDEN)
        self.out = nn.Linear(HIDDEN, 1)

    def forward(self, waves, future=0):
        n = waves.size(0)
        h1, c1, h2, c2 = (torch.zeros(n, HIDDEN, dtype=torch.double) for _ in range(4))
        predictions = []

        def step(value):
            nonlocal h1, c1, h2, c2
            h1, c1 = self.cell1(value, (h1, c1))
            h2, c2 = self.cell2(h1, (h2, c2))
            return self.out(h2)

        for column in waves.split(1, dim=1):   # teacher forcing over the known part
            predictions.append(step(column))
        for _ in range(future):                 # then feed each prediction back in
            predictions.append(step(predictions[-1]))
        return torch.cat(predictions, dim=1)


def write_waves(path, count=24, length=100, period=20, seed=2):
    """Sine waves of one period, each shifted by a random offset, saved with torch.save."""
    generator = np.random.default_rng(seed)
    starts = generator.integers(-4 * period, 4 * period, count).reshape(count, 1)
    x = np.arange(length) + starts
    torch.save(np.sin(x / period).astype('float64'), open(path, 'wb'))


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--steps', type=int, default=2, help='L-BFGS steps')
    parser.add_argument('--future', type=int, default=100)
    opt = parser.parse_args()
    np.random.seed(0)
    torch.manual_seed(0)

    write_waves('traindata.pt')
    data = torch.load('traindata.pt', weights_only=False)
    inputs, targets = torch.from_numpy(data[3:, :-1]), torch.from_numpy(data[3:, 1:])
    test_inputs, test_targets = torch.from_numpy(data[:3, :-1]), torch.from_numpy(data[:3, 1:])

    model = WaveModel()
    model.double()
    criterion = nn.MSELoss()
    optimizer = optim.LBFGS(model.parameters(), lr=0.8)

    for i in range(opt.steps):
        print('STEP: ', i)

        def closure():
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            print('loss:', loss.item())
            loss.backward()
            return loss

        optimizer.step(closure)

        with torch.no_grad():
            prediction = model(test_inputs, future=opt.future)
            test_loss = criterion(prediction[:, :-opt.future], test_targets)
            print('test loss:', test_loss.item())
            waves = prediction.detach().numpy()

        known = inputs.size(1)
        plt.figure(figsize=(15, 5))
        plt.title('dashed: the model continuing on its own')
        for wave, colour in zip(waves, 'rgb', strict=True):
            plt.plot(np.arange(known), wave[:known], colour, linewidth=2.0)
            plt.plot(np.arange(known, known + opt.future), wave[known:], colour + ':', linewidth=2.0)
        plt.savefig('predict%d.pdf' % i)
        plt.close()
