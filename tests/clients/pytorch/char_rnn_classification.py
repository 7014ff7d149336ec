# stands-for: https://github.com/pytorch/tutorials 10098032865151e891c6074522207880f0e68fd3 intermediate_source/char_rnn_classification_tutorial.py
# loss: (?m)^\d+ \d+% \(\d+m \d+s\) (\S+)
# exercises: names read from data/names/*.txt with glob, unicodedata and string.ascii_letters, one-hot letters written with tensor[li][0][i] = 1, a hand-written RNN cell (three nn.Linear, F.tanh, nn.LogSoftmax(dim=1)) stepped one letter at a time, torch.tensor([i], dtype=torch.long), nn.NLLLoss, rnn.zero_grad, p.data.add_(p.grad.data, alpha=-lr), output.topk(1) and top_i[0].item(), topk(n, 1, True), a confusion matrix filled with confusion[i][j] += 1 and rows divided in place, confusion.numpy() into matplotlib, no_grad
"""Guess the language of a surname from its letters with a small recurrent network written
by hand (the names are generated: data/names/ is not on this machine)."""
import glob
import math
import os
import random
import string
import time
import unicodedata

import matplotlib.pyplot as plt

import _offline
import tinydl as torch  # was: import torch
import tinydl.nn as nn  # was: import torch.nn as nn
import tinydl.nn.functional as F  # was: import torch.nn.functional as F

random.seed(0)
torch.manual_seed(0)
_offline.write_surnames('data/names')

LETTERS = string.ascii_letters + " .,;'"


def to_ascii(text):
    """Drop accents (NFD splits a letter from its accent) and anything not in LETTERS."""
    return ''.join(c for c in unicodedata.normalize('NFD', text)
                   if unicodedata.category(c) != 'Mn' and c in LETTERS)


names_by_language = {}
for path in sorted(glob.glob('data/names/*.txt')):
    language = os.path.splitext(os.path.basename(path))[0]
    with open(path, encoding='utf-8') as f:
        names_by_language[language] = [to_ascii(line) for line in f.read().strip().split('\n')]
languages = list(names_by_language)
print(len(languages), 'languages:', languages)


def name_tensor(name):
    """(letters, 1, len(LETTERS)): one one-hot row per letter, batch of one."""
    tensor = torch.zeros(len(name), 1, len(LETTERS))
    for li, letter in enumerate(name):
        tensor[li][0][LETTERS.find(letter)] = 1
    return tensor


class RNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.i2h = nn.Linear(input_size, hidden_size)
        self.h2h = nn.Linear(hidden_size, hidden_size)
        self.h2o = nn.Linear(hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, letter, hidden):
        hidden = F.tanh(self.i2h(letter) + self.h2h(hidden))
        return self.softmax(self.h2o(hidden)), hidden

    def initial_hidden(self):
        return torch.zeros(1, self.hidden_size)


rnn = RNN(len(LETTERS), 64, len(languages))


def run(name_as_tensor):
    hidden = rnn.initial_hidden()
    for i in range(name_as_tensor.size()[0]):
        output, hidden = rnn(name_as_tensor[i], hidden)
    return output


def best_language(output):
    _, top_i = output.topk(1)
    index = top_i[0].item()
    return languages[index], index


def random_example():
    language = random.choice(languages)
    name = random.choice(names_by_language[language])
    return language, name, torch.tensor([languages.index(language)], dtype=torch.long), name_tensor(name)


criterion = nn.NLLLoss()
learning_rate = 0.01


def train(target, name_as_tensor):
    rnn.zero_grad()
    output = run(name_as_tensor)
    loss = criterion(output, target)
    loss.backward()
    for p in rnn.parameters():   # plain gradient descent, by hand
        p.data.add_(p.grad.data, alpha=-learning_rate)
    return output, loss.item()


def since(start):
    seconds = time.time() - start
    return '%dm %ds' % (math.floor(seconds / 60), seconds % 60)


n_iters, print_every = 1500, 100
interval_loss = 0.0
start = time.time()
for it in range(1, n_iters + 1):
    language, name, target, name_as_tensor = random_example()
    output, loss = train(target, name_as_tensor)
    interval_loss += loss
    if it % print_every == 0:
        guess, _ = best_language(output)
        mark = 'right' if guess == language else 'wrong (%s)' % language
        print('%d %d%% (%s) %.4f %s / %s %s' % (it, it / n_iters * 100, since(start),
                                                 interval_loss / print_every, name, guess, mark))
        interval_loss = 0.0

confusion = torch.zeros(len(languages), len(languages))
with torch.no_grad():
    for _ in range(200):
        language, name, target, name_as_tensor = random_example()
        _, guess_i = best_language(run(name_as_tensor))
        confusion[languages.index(language)][guess_i] += 1
for i in range(len(languages)):
    confusion[i] = confusion[i] / confusion[i].sum()

figure = plt.figure()
axes = figure.add_subplot(111)
figure.colorbar(axes.matshow(confusion.numpy()))
plt.savefig('confusion.png')

with torch.no_grad():
    for name in ('Vanberg', 'Takamoto', 'Volkov'):
        values, indices = run(name_tensor(name)).topk(3, 1, True)
        print(name, [(round(values[0][k].item(), 2), languages[indices[0][k].item()]) for k in range(3)])
