# stands-for: https://github.com/pytorch/examples 77f55b912142e11fcfdf5b530231fb9c52f181e8 dcgan/main.py
# loss: Loss_D: (\S+)
# exercises: argparse options, torch.backends.cudnn.benchmark, torch.accelerator, torchvision datasets.MNIST with Compose(Resize(64), ToTensor, Normalize((0.5,), (0.5,))), Subset, DataLoader(num_workers=), ConvTranspose2d/Conv2d(bias=False), BatchNorm2d, ReLU(True), LeakyReLU(0.2, inplace=True), Tanh, Sigmoid, model.apply(weights_init) dispatching on the class name, nn.init.normal_/zeros_, input.is_cuda/is_xpu with nn.parallel.data_parallel, view(-1, 1).squeeze(1), nn.BCELoss, torch.full((n,), v, dtype=, device=), label.fill_, fake.detach(), optim.Adam(betas=), torchvision.utils.save_image(normalize=True), torch.save of state dicts, print(module)
"""A DCGAN on MNIST scaled to 64x64: a transposed-convolution generator against a
convolutional discriminator, each step training D on real and fake, then G through D."""
import argparse
import os
import random

import tinydl as torch  # was: import torch
import tinydl.backends.cudnn as cudnn  # was: import torch.backends.cudnn as cudnn
import tinydl.nn as nn  # was: import torch.nn as nn
import tinydl.nn.parallel  # was: import torch.nn.parallel
import tinydl.optim as optim  # was: import torch.optim as optim
import tinydl.utils.data  # was: import torch.utils.data
import tinydl.vision.datasets as dset  # was: import torchvision.datasets as dset
import tinydl.vision.transforms as transforms  # was: import torchvision.transforms as transforms
import tinydl.vision.utils as vutils  # was: import torchvision.utils as vutils

parser = argparse.ArgumentParser()
parser.add_argument('--dataroot', default=os.environ.get('TINYDL_DATA'))
parser.add_argument('--workers', type=int, default=0)
parser.add_argument('--batchSize', type=int, default=32)
parser.add_argument('--imageSize', type=int, default=64)
parser.add_argument('--images', type=int, default=256, help='how many MNIST images to use')
parser.add_argument('--nz', type=int, default=32, help='size of the latent vector')
parser.add_argument('--ngf', type=int, default=16)
parser.add_argument('--ndf', type=int, default=16)
parser.add_argument('--niter', type=int, default=1)
parser.add_argument('--lr', type=float, default=0.0002)
parser.add_argument('--beta1', type=float, default=0.5)
parser.add_argument('--ngpu', type=int, default=1)
parser.add_argument('--outf', default='.')
parser.add_argument('--manualSeed', type=int, default=7)
opt = parser.parse_args()
print(opt)

random.seed(opt.manualSeed)
torch.manual_seed(opt.manualSeed)
cudnn.benchmark = True
device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else torch.device("cpu")

dataset = dset.MNIST(root=opt.dataroot, download=True,
                     transform=transforms.Compose([transforms.Resize(opt.imageSize),
                                                   transforms.ToTensor(),
                                                   transforms.Normalize((0.5,), (0.5,))]))
dataset = torch.utils.data.Subset(dataset, range(opt.images))
dataloader = torch.utils.data.DataLoader(dataset, batch_size=opt.batchSize, shuffle=True,
                                         num_workers=opt.workers)
nc, nz, ngf, ndf = 1, opt.nz, opt.ngf, opt.ndf


def weights_init(m):
    """DCGAN's initialisation: N(0, 0.02) for convolutions, N(1, 0.02) for batch-norm scales."""
    kind = m.__class__.__name__
    if 'Conv' in kind:
        torch.nn.init.normal_(m.weight, 0.0, 0.02)
    elif 'BatchNorm' in kind:
        torch.nn.init.normal_(m.weight, 1.0, 0.02)
        torch.nn.init.zeros_(m.bias)


def up(c_in, c_out):
    """Double the image size: transposed convolution, batch norm, ReLU."""
    return [nn.ConvTranspose2d(c_in, c_out, 4, 2, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(True)]


def down(c_in, c_out):
    """Halve the image size: strided convolution, batch norm, leaky ReLU."""
    return [nn.Conv2d(c_in, c_out, 4, 2, 1, bias=False), nn.BatchNorm2d(c_out),
            nn.LeakyReLU(0.2, inplace=True)]


class Generator(nn.Module):
    def __init__(self, ngpu):
        super().__init__()
        self.ngpu = ngpu
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),  # 1x1 -> 4x4
            nn.BatchNorm2d(ngf * 8),
            nn.ReLU(True),
            *up(ngf * 8, ngf * 4),                                  # 8x8
            *up(ngf * 4, ngf * 2),                                  # 16x16
            *up(ngf * 2, ngf),                                      # 32x32
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),       # 64x64
            nn.Tanh(),
        )

    def forward(self, z):
        if (z.is_cuda or z.is_xpu) and self.ngpu > 1:
            return nn.parallel.data_parallel(self.main, z, range(self.ngpu))
        return self.main(z)


class Discriminator(nn.Module):
    def __init__(self, ngpu):
        super().__init__()
        self.ngpu = ngpu
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),                # 64x64 -> 32x32
            nn.LeakyReLU(0.2, inplace=True),
            *down(ndf, ndf * 2),                                    # 16x16
            *down(ndf * 2, ndf * 4),                                # 8x8
            *down(ndf * 4, ndf * 8),                                # 4x4
            nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False),             # 1x1
            nn.Sigmoid(),
        )

    def forward(self, image):
        if (image.is_cuda or image.is_xpu) and self.ngpu > 1:
            out = nn.parallel.data_parallel(self.main, image, range(self.ngpu))
        else:
            out = self.main(image)
        return out.view(-1, 1).squeeze(1)


netG = Generator(opt.ngpu).to(device)
netG.apply(weights_init)
print(netG)
netD = Discriminator(opt.ngpu).to(device)
netD.apply(weights_init)
print(netD)

criterion = nn.BCELoss()
fixed_noise = torch.randn(opt.batchSize, nz, 1, 1, device=device)
REAL, FAKE = 1, 0
optimizerD = optim.Adam(netD.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))
optimizerG = optim.Adam(netG.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))

for epoch in range(opt.niter):
    for i, (real, _) in enumerate(dataloader):
        # (1) the discriminator: maximise log D(x) + log(1 - D(G(z)))
        netD.zero_grad()
        real = real.to(device)
        batch_size = real.size(0)
        label = torch.full((batch_size,), REAL, dtype=real.dtype, device=device)
        output = netD(real)
        errD_real = criterion(output, label)
        errD_real.backward()
        D_x = output.mean().item()

        fake = netG(torch.randn(batch_size, nz, 1, 1, device=device))
        label.fill_(FAKE)
        output = netD(fake.detach())      # no gradient into G from D's step
        errD_fake = criterion(output, label)
        errD_fake.backward()
        D_G_z1 = output.mean().item()
        errD = errD_real + errD_fake
        optimizerD.step()

        # (2) the generator: maximise log D(G(z)), i.e. fakes labelled real
        netG.zero_grad()
        label.fill_(REAL)
        output = netD(fake)
        errG = criterion(output, label)
        errG.backward()
        D_G_z2 = output.mean().item()
        optimizerG.step()

        print('[%d/%d][%d/%d] Loss_D: %.4f Loss_G: %.4f D(x): %.4f D(G(z)): %.4f / %.4f'
              % (epoch, opt.niter, i, len(dataloader), errD.item(), errG.item(), D_x, D_G_z1, D_G_z2))
        if i % 4 == 0:
            vutils.save_image(real, f'{opt.outf}/real_samples.png', normalize=True)
            vutils.save_image(netG(fixed_noise).detach(),
                              f'{opt.outf}/fake_samples_epoch_{epoch:03d}.png', normalize=True)

    torch.save(netG.state_dict(), f'{opt.outf}/netG_epoch_{epoch}.pth')
    torch.save(netD.state_dict(), f'{opt.outf}/netD_epoch_{epoch}.pth')
