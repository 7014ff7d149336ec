# stands-for: https://github.com/pytorch/examples 77f55b912142e11fcfdf5b530231fb9c52f181e8 word_language_model/main.py
# loss: \| loss +(\S+) \|
# exercises: import torch.onnx (export only on request), a word-level Corpus read from train/valid/test text files into torch.tensor(ids).type(torch.int64) and torch.cat, nn.Embedding, a 2-layer nn.LSTM (or GRU/RNN by name through getattr(nn, ...)) with dropout over (seq, batch) input, nn.init.uniform_/zeros_, init_hidden through weight.new_zeros, narrow/view/t()/contiguous batching, detaching the carried state, nn.NLLLoss, model.zero_grad, torch.nn.utils.clip_grad_norm_, p.data.add_(p.grad, alpha=-lr), torch.save of the whole model and torch.load of it inside torch.serialization.safe_globals([...]) through open files, rnn.flatten_parameters, math.exp perplexity
"""A word-level LSTM language model in the style of the word_language_model example,
trained by plain SGD with gradient clipping on English text from the standard library's
docstrings (in place of Wikitext-2)."""
import argparse
import math
import os
import time

import _offline
import tinydl as torch  # was: import torch
import tinydl.nn as nn  # was: import torch.nn as nn
import tinydl.nn.functional as F  # was: import torch.nn.functional as F
import tinydl.onnx  # was: import torch.onnx

parser = argparse.ArgumentParser(description='word-level language model')
parser.add_argument('--data', default='./data/docstrings')
parser.add_argument('--model', default='LSTM', help='LSTM, GRU, RNN_TANH or RNN_RELU')
parser.add_argument('--emsize', type=int, default=128)
parser.add_argument('--nhid', type=int, default=128)
parser.add_argument('--nlayers', type=int, default=2)
parser.add_argument('--lr', type=float, default=20)
parser.add_argument('--clip', type=float, default=0.25)
parser.add_argument('--epochs', type=int, default=1)
parser.add_argument('--batch_size', type=int, default=20)
parser.add_argument('--bptt', type=int, default=35)
parser.add_argument('--dropout', type=float, default=0.2)
parser.add_argument('--seed', type=int, default=1111)
parser.add_argument('--log-interval', type=int, default=5)
parser.add_argument('--save', default='model.pt')
parser.add_argument('--onnx-export', default='')
args = parser.parse_args()
torch.manual_seed(args.seed)
device = torch.device("cpu")


def write_text_files(folder):
    """train.txt, valid.txt and test.txt: consecutive stretches of docstring text."""
    os.makedirs(folder, exist_ok=True)
    lines = _offline.docstring_text(150_000).splitlines()
    cut1, cut2 = int(len(lines) * 0.8), int(len(lines) * 0.9)
    for name, part in [('train', lines[:cut1]), ('valid', lines[cut1:cut2]), ('test', lines[cut2:])]:
        with open(os.path.join(folder, name + '.txt'), 'w', encoding='utf8') as f:
            f.write('\n'.join(line for line in part if line.strip()) + '\n')


class Vocabulary:
    def __init__(self):
        self.index_of = {}
        self.words = []

    def add(self, word):
        if word not in self.index_of:
            self.index_of[word] = len(self.words)
            self.words.append(word)
        return self.index_of[word]

    def __len__(self):
        return len(self.words)


class Corpus:
    def __init__(self, folder):
        self.vocabulary = Vocabulary()
        self.train, self.valid, self.test = (self.read(os.path.join(folder, name + '.txt'))
                                             for name in ('train', 'valid', 'test'))

    def read(self, path):
        """The file as one long tensor of word ids, an <eos> closing every line."""
        with open(path, encoding='utf8') as f:
            per_line = [torch.tensor([self.vocabulary.add(w) for w in line.split() + ['<eos>']])
                        .type(torch.int64) for line in f]
        return torch.cat(per_line)


class RNNModel(nn.Module):
    """Embedding -> recurrent stack -> linear decoder to log-probabilities of the next word."""

    def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.5):
        super().__init__()
        self.ntoken, self.rnn_type, self.nhid, self.nlayers = ntoken, rnn_type, nhid, nlayers
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        if rnn_type in ('LSTM', 'GRU'):
            self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
        else:
            nonlinearity = {'RNN_TANH': 'tanh', 'RNN_RELU': 'relu'}[rnn_type]
            self.rnn = nn.RNN(ninp, nhid, nlayers, nonlinearity=nonlinearity, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

    def forward(self, tokens, hidden):
        output, hidden = self.rnn(self.drop(self.encoder(tokens)), hidden)
        scores = self.decoder(self.drop(output)).view(-1, self.ntoken)
        return F.log_softmax(scores, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())   # so the state gets the parameters' dtype and device
        if self.rnn_type == 'LSTM':
            return (weight.new_zeros(self.nlayers, bsz, self.nhid),
                    weight.new_zeros(self.nlayers, bsz, self.nhid))
        return weight.new_zeros(self.nlayers, bsz, self.nhid)


def batchify(ids, bsz):
    """Cut one long sequence into bsz columns: (length // bsz, bsz)."""
    rows = ids.size(0) // bsz
    return ids.narrow(0, 0, rows * bsz).view(bsz, -1).t().contiguous().to(device)


def detach_state(h):
    """Cut the graph behind the carried state (truncated backprop through time)."""
    return h.detach() if isinstance(h, torch.Tensor) else tuple(detach_state(v) for v in h)


def get_batch(source, i):
    length = min(args.bptt, len(source) - 1 - i)
    return source[i:i + length], source[i + 1:i + 1 + length].view(-1)


write_text_files(args.data)
corpus = Corpus(args.data)
train_data = batchify(corpus.train, args.batch_size)
val_data = batchify(corpus.valid, 10)
test_data = batchify(corpus.test, 10)
ntokens = len(corpus.vocabulary)
print(f'vocabulary of {ntokens} words, {corpus.train.size(0)} training tokens')
model = RNNModel(args.model, ntokens, args.emsize, args.nhid, args.nlayers, args.dropout).to(device)
criterion = nn.NLLLoss()


def evaluate(source):
    model.eval()
    total = 0.0
    hidden = model.init_hidden(10)
    with torch.no_grad():
        for i in range(0, source.size(0) - 1, args.bptt):
            data, targets = get_batch(source, i)
            output, hidden = model(data, hidden)
            hidden = detach_state(hidden)
            total += len(data) * criterion(output, targets).item()
    return total / (len(source) - 1)


def train_epoch(epoch, lr):
    model.train()
    running, started = 0.0, time.time()
    hidden = model.init_hidden(args.batch_size)
    batches = len(train_data) // args.bptt
    for batch, i in enumerate(range(0, train_data.size(0) - 1, args.bptt)):
        data, targets = get_batch(train_data, i)
        hidden = detach_state(hidden)
        model.zero_grad()
        output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        running += loss.item()
        if batch % args.log_interval == 0 and batch > 0:
            average = running / args.log_interval
            ms = (time.time() - started) * 1000 / args.log_interval
            print(f'| epoch {epoch:3d} | {batch:5d}/{batches:5d} batches | lr {lr:5.2f} '
                  f'| ms/batch {ms:6.1f} | loss {average:5.2f} | ppl {math.exp(average):8.2f}')
            running, started = 0.0, time.time()


lr = args.lr
best_val_loss = None
for epoch in range(1, args.epochs + 1):
    train_epoch(epoch, lr)
    val_loss = evaluate(val_data)
    print('-' * 80)
    print(f'| end of epoch {epoch:3d} | valid loss {val_loss:5.2f} | valid ppl {math.exp(val_loss):8.2f}')
    print('-' * 80)
    if best_val_loss is None or val_loss < best_val_loss:
        with open(args.save, 'wb') as f:
            torch.save(model, f)
        best_val_loss = val_loss
    else:
        lr /= 4.0   # anneal when the validation loss stops improving

# the best model, unpickled: only the classes named here may be rebuilt from the file
allowed = [RNNModel, nn.Dropout, nn.Embedding, nn.Linear, nn.LSTM, nn.GRU, nn.RNN]
with open(args.save, 'rb') as f, torch.serialization.safe_globals(allowed):
    model = torch.load(f)
    model.rnn.flatten_parameters()   # after loading, put the RNN weights in one block again

test_loss = evaluate(test_data)
print('=' * 80)
print(f'| end of training | test loss {test_loss:5.2f} | test ppl {math.exp(test_loss):8.2f}')
print('=' * 80)

if args.onnx_export:
    model.eval()
    dummy = torch.zeros(args.bptt, 1, dtype=torch.long)
    torch.onnx.export(model, (dummy, model.init_hidden(1)), args.onnx_export)
