# stands-for: https://github.com/karpathy/minGPT 37baab71b9abea1b76ab957409a1cc2fbfba8a26 projects/adder/adder.py
# loss: iter \d+: train loss (\S+)
# exercises: a Dataset of torch.randperm(n, generator=torch.Generator()) indices, nelement(), torch.tensor(..., dtype=torch.long), y[:k] = -1 (ignored targets), a GPT (a GELU written with torch.tanh and torch.pow, register_buffer of torch.tril(torch.ones(...)).view, split(n, dim=2), view/transpose(1, 2)/contiguous, masked_fill(mask == 0, float('-inf')), nn.ModuleDict and nn.ModuleList, nn.LayerNorm, nn.Embedding, Linear(bias=False)), apply(init) with nn.init.normal_/zeros_/ones_, named_modules and named_parameters to build AdamW parameter groups, F.cross_entropy(ignore_index=-1), a trainer on DataLoader(sampler=torch.utils.data.RandomSampler(replacement=True, num_samples=...), pin_memory=True) imported from torch.utils.data.dataloader, model.zero_grad(set_to_none=True), clip_grad_norm_, @torch.no_grad() greedy generation with topk and torch.cat, flip(1), broadcasting against a row of powers of ten, (a == b).cpu(), int(tensor element), '%d' % tensor element, torch.save of a state dict
"""A tiny GPT learns to add two 2-digit numbers, minGPT style: the digits of a and b, then
the digits of a + b reversed (the order in which addition produces them)."""
import math
import os
import time
from types import SimpleNamespace

import tinydl as torch  # was: import torch
import tinydl.nn as nn  # was: import torch.nn as nn
import tinydl.nn.functional as F  # was: import torch.nn.functional as F
from tinydl.utils.data import Dataset  # was: from torch.utils.data import Dataset
from tinydl.utils.data.dataloader import DataLoader  # was: from torch.utils.data.dataloader import DataLoader

NDIGIT = 2


class AdditionProblems(Dataset):
    """Every a + b with a, b < 100, split once into a test part (at most 500) and the rest."""

    def __init__(self, split):
        generator = torch.Generator()
        generator.manual_seed(1337)
        order = torch.randperm((10 ** NDIGIT) ** 2, generator=generator)
        n_test = min(int(order.nelement() * 0.2), 500)
        self.problems = order[:n_test] if split == 'test' else order[n_test:]

    def __len__(self):
        return self.problems.nelement()

    def __getitem__(self, i):
        a, b = divmod(self.problems[i].item(), 10 ** NDIGIT)
        text = f'{a:0{NDIGIT}d}{b:0{NDIGIT}d}' + f'{a + b:0{NDIGIT + 1}d}'[::-1]
        digits = [int(ch) for ch in text]
        x = torch.tensor(digits[:-1], dtype=torch.long)
        y = torch.tensor(digits[1:], dtype=torch.long)
        y[:NDIGIT * 2 - 1] = -1   # no loss where the model would guess the operands
        return x, y


class GELU(nn.Module):
    def forward(self, x):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class CausalSelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.qkv = nn.Linear(cfg.n_embd, 3 * cfg.n_embd)
        self.proj = nn.Linear(cfg.n_embd, cfg.n_embd)
        self.attn_drop, self.resid_drop = nn.Dropout(cfg.dropout), nn.Dropout(cfg.dropout)
        causal = torch.tril(torch.ones(cfg.block_size, cfg.block_size))
        self.register_buffer('mask', causal.view(1, 1, cfg.block_size, cfg.block_size))
        self.n_head, self.n_embd = cfg.n_head, cfg.n_embd

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.qkv(x).split(self.n_embd, dim=2)
        # (B, T, C) -> (B, heads, T, head size)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        scores = scores.masked_fill(self.mask[:, :, :T, :T] == 0, float('-inf'))
        y = self.attn_drop(F.softmax(scores, dim=-1)) @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_drop(self.proj(y))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(cfg.n_embd), nn.LayerNorm(cfg.n_embd)
        self.attn = CausalSelfAttention(cfg)
        self.mlp = nn.ModuleDict(dict(fc=nn.Linear(cfg.n_embd, 4 * cfg.n_embd), act=GELU(),
                                      proj=nn.Linear(4 * cfg.n_embd, cfg.n_embd),
                                      drop=nn.Dropout(cfg.dropout)))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        m = self.mlp
        return x + m.drop(m.proj(m.act(m.fc(self.ln_2(x)))))


class GPT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.block_size = cfg.block_size
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(cfg.vocab_size, cfg.n_embd),
            wpe=nn.Embedding(cfg.block_size, cfg.n_embd),
            drop=nn.Dropout(cfg.dropout),
            h=nn.ModuleList([Block(cfg) for _ in range(cfg.n_layer)]),
            ln_f=nn.LayerNorm(cfg.n_embd),
        ))
        self.lm_head = nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
        self.apply(self._init_weights)
        for name, p in self.named_parameters():   # GPT-2's scaled residual projections
            if name.endswith('proj.weight'):
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * cfg.n_layer))
        print('number of parameters: %.2fM' % (sum(p.numel() for p in self.parameters()) / 1e6))

    @staticmethod
    def _init_weights(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.LayerNorm):
            torch.nn.init.zeros_(module.bias)
            torch.nn.init.ones_(module.weight)

    def configure_optimizers(self, cfg):
        """AdamW with weight decay on the Linear weights only."""
        decay, no_decay = set(), set()
        for module_name, module in self.named_modules():
            for name, _ in module.named_parameters(recurse=False):
                full = f'{module_name}.{name}' if module_name else name
                if name == 'weight' and isinstance(module, nn.Linear):
                    decay.add(full)
                else:
                    no_decay.add(full)
        params = dict(self.named_parameters())
        groups = [{'params': [params[n] for n in sorted(decay)], 'weight_decay': cfg.weight_decay},
                  {'params': [params[n] for n in sorted(no_decay)], 'weight_decay': 0.0}]
        return torch.optim.AdamW(groups, lr=cfg.learning_rate, betas=cfg.betas)

    def forward(self, idx, targets=None):
        b, t = idx.size()
        pos = torch.arange(0, t, dtype=torch.long, device=idx.device).unsqueeze(0)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for block in self.transformer.h:
            x = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        return logits, loss

    @torch.no_grad()
    def generate(self, idx, max_new_tokens):
        for _ in range(max_new_tokens):
            logits, _ = self(idx[:, -self.block_size:])
            _, next_token = torch.topk(F.softmax(logits[:, -1, :], dim=-1), k=1, dim=-1)
            idx = torch.cat((idx, next_token), dim=1)
        return idx


def train(model, dataset, cfg, on_batch_end):
    optimizer = model.configure_optimizers(cfg)
    sampler = torch.utils.data.RandomSampler(dataset, replacement=True, num_samples=int(1e10))
    loader = DataLoader(dataset, sampler=sampler, shuffle=False, pin_memory=True,
                        batch_size=cfg.batch_size, num_workers=0)
    model.train()
    batches = iter(loader)
    for it in range(cfg.max_iters + 1):
        x, y = next(batches)
        _, loss = model(x, y)
        model.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_norm_clip)
        optimizer.step()
        on_batch_end(it, loss)


def score(model, dataset, show_mistakes=3):
    """How many sums the model completes right, by greedy decoding."""
    powers = torch.tensor([[10 ** i for i in range(NDIGIT + 1)][::-1]])
    right = []
    for x, _ in DataLoader(dataset, batch_size=100, num_workers=0, drop_last=False):
        operands = x[:, :NDIGIT * 2]
        answer = model.generate(operands, NDIGIT + 1)[:, -(NDIGIT + 1):].flip(1)
        a = (operands[:, :NDIGIT] * powers[:, 1:]).sum(1)
        b = (operands[:, NDIGIT:] * powers[:, 1:]).sum(1)
        guess = (answer * powers).sum(1)
        correct = (guess == a + b).cpu()
        for i in range(x.size(0)):
            right.append(int(correct[i]))
            if not correct[i] and show_mistakes > 0:
                show_mistakes -= 1
                print("GPT claims that %d + %d = %d" % (a[i], b[i], guess[i]))
    total = torch.tensor(right, dtype=torch.float)
    print("test score: %d/%d = %.2f%% correct" % (total.sum(), len(right), 100 * total.mean()))


if __name__ == '__main__':
    torch.manual_seed(3407)
    cfg = SimpleNamespace(n_layer=3, n_head=3, n_embd=48, dropout=0.1, vocab_size=10,
                          block_size=3 * NDIGIT, batch_size=64, learning_rate=5e-4,
                          betas=(0.9, 0.95), weight_decay=0.1, grad_norm_clip=1.0, max_iters=100)
    os.makedirs('out/adder', exist_ok=True)
    model = GPT(cfg)
    last = [time.time()]

    def report(it, loss):
        if it % 10 == 0:
            now = time.time()
            print(f"iter_dt {(now - last[0]) * 100:.2f}ms; iter {it}: train loss {loss.item():.5f}")
            last[0] = now

    train(model, AdditionProblems('train'), cfg, report)
    model.eval()
    score(model, AdditionProblems('test'))
    torch.save(model.state_dict(), os.path.join('out/adder', 'model.pt'))
