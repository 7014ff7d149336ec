# stands-for: https://github.com/pytorch/tutorials 4ce8b871ef249dfacc1b389108842a0c2c0805b7 intermediate_source/char_rnn_generation_tutorial.py
# loss: \(\d+ \d+%\) (\S+)
# exercises: a hand-written conditional RNN (nn.Linear layers over torch.cat((category, letter, hidden), 1), nn.Dropout, nn.LogSoftmax(dim=1)) stepped one letter at a time, one-hot tensors written by indexing, the legacy constructor torch.LongTensor(list), target.unsqueeze_(-1) in place, a loss summed from the integer 0 with +=, the deprecated overload p.data.add_(-lr, p.grad.data), output.topk(1), topi == n, LETTERS[topi] (__index__ of a 0-d tensor), no_grad sampling
"""Generate surnames one letter at a time, conditioned on a language, with a small
recurrent network written by hand (the names are generated: data/names/ is not here)."""
import glob
import os
import random
import string
import time

import _offline
import tinydl as torch  # was: import torch
import tinydl.nn as nn  # was: import torch.nn as nn

random.seed(1)
torch.manual_seed(1)
_offline.write_surnames('data/names')

LETTERS = string.ascii_letters + " .,;'-"
N_LETTERS = len(LETTERS) + 1   # the last index marks the end of a name

names_by_language = {}
for path in sorted(glob.glob('data/names/*.txt')):
    with open(path, encoding='utf-8') as f:
        names_by_language[os.path.splitext(os.path.basename(path))[0]] = f.read().split()
languages = list(names_by_language)
print('# languages:', len(languages), languages)


class Generator(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.hidden_size = hidden_size
        joined = len(languages) + input_size + hidden_size
        self.i2h = nn.Linear(joined, hidden_size)
        self.i2o = nn.Linear(joined, output_size)
        self.o2o = nn.Linear(hidden_size + output_size, output_size)
        self.dropout = nn.Dropout(0.1)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, language, letter, hidden):
        joined = torch.cat((language, letter, hidden), 1)
        hidden, output = self.i2h(joined), self.i2o(joined)
        output = self.o2o(torch.cat((hidden, output), 1))
        return self.softmax(self.dropout(output)), hidden

    def initial_hidden(self):
        return torch.zeros(1, self.hidden_size)


def language_tensor(language):
    tensor = torch.zeros(1, len(languages))
    tensor[0][languages.index(language)] = 1
    return tensor


def letters_tensor(name):
    tensor = torch.zeros(len(name), 1, N_LETTERS)
    for i, letter in enumerate(name):
        tensor[i][0][LETTERS.find(letter)] = 1
    return tensor


def targets_tensor(name):
    """Each letter's successor; the last letter's successor is the end marker."""
    following = [LETTERS.find(letter) for letter in name[1:]] + [N_LETTERS - 1]
    return torch.LongTensor(following)


def random_example():
    language = random.choice(languages)
    name = random.choice(names_by_language[language])
    return language_tensor(language), letters_tensor(name), targets_tensor(name)


model = Generator(N_LETTERS, 96, N_LETTERS)
criterion = nn.NLLLoss()
learning_rate = 0.005


def train(language, letters, targets):
    targets.unsqueeze_(-1)
    hidden = model.initial_hidden()
    model.zero_grad()
    loss = 0
    for i in range(letters.size(0)):
        output, hidden = model(language, letters[i], hidden)
        loss += criterion(output, targets[i])
    loss.backward()
    for p in model.parameters():
        p.data.add_(-learning_rate, p.grad.data)
    return loss.item() / letters.size(0)


n_iters, print_every = 1500, 100
interval_loss = 0.0
start = time.time()
for it in range(1, n_iters + 1):
    interval_loss += train(*random_example())
    if it % print_every == 0:
        elapsed = time.time() - start
        print('%dm %ds (%d %d%%) %.4f' % (elapsed // 60, elapsed % 60, it, it / n_iters * 100,
                                          interval_loss / print_every))
        interval_loss = 0.0


def sample(language, first_letter, max_length=15):
    with torch.no_grad():
        hidden = model.initial_hidden()
        letter = letters_tensor(first_letter)
        name = first_letter
        for _ in range(max_length):
            output, hidden = model(language_tensor(language), letter[0], hidden)
            _, topi = output.topk(1)
            topi = topi[0][0]
            if topi == N_LETTERS - 1:
                break
            name += LETTERS[topi]
            letter = letters_tensor(LETTERS[topi])
        return name


for language, starts in (('Russian', 'VKP'), ('Japanese', 'TKM'), ('Scottish', 'MDL')):
    print(language, [sample(language, s) for s in starts])
