"""torchvision's ResNet-18 and ResNet-34 (``torchvision.models.resnet18(weights=None)``),
built from tinydl's layers with torchvision's architecture, module names, parameter names
and initialisation, so that a program that builds one, replaces a layer
(``model.conv1 = nn.Conv2d(1, 64, ...)``) or slices it
(``nn.Sequential(*list(model.children())[:-1])``) runs as on torchvision, and a
torchvision state dict's keys match (load it with ``strict=False``: tinydl's BatchNorm
keeps no ``num_batches_tracked``).

The network (He et al., "Deep Residual Learning for Image Recognition", 2015): a 7×7
stride-2 convolution and a 3×3 stride-2 max-pool take a 224×224 image to 56×56; four
stages of :class:`BasicBlock` (64, 128, 256, 512 channels; each stage after the first
halves the size); an average over each channel and one ``Linear`` to the classes. A block
adds its input to what its two 3×3 convolutions compute, so each block learns a
correction to the identity, which keeps deep stacks trainable.

No pretrained weights: tinydl downloads none, and ``weights=`` other than None is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tinydl
from tinydl import check, nn

NormLayer = Callable[[int], nn.Module]


def conv3x3(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    """A 3×3 convolution that keeps the size (or divides it by ``stride``), no bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


def conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    """A 1×1 convolution, no bias: a shortcut that changes the channel count."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), where the shortcut is x itself,
    or ``downsample(x)`` when the block changes the size or the channel count."""

    expansion = 1

    def __init__(
        self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None,
        norm_layer: NormLayer | None = None,
    ) -> None:
        super().__init__()
        norm_layer = norm_layer or nn.BatchNorm2d
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: tinydl.Tensor) -> tinydl.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        shortcut = x if self.downsample is None else self.downsample(x)
        return self.relu(out + shortcut)


class ResNet(nn.Module):
    """``ResNet(block, layers, num_classes=1000, zero_init_residual=False,
    norm_layer=None)``: the stem, four stages of ``layers[i]`` blocks, the average pool and
    ``fc``. Initialisation as torchvision's: every ``Conv2d`` from He's normal with
    fan_out (``kaiming_normal_(mode="fan_out", nonlinearity="relu")``), BatchNorm's
    weight 1 and bias 0, ``fc`` as any ``nn.Linear``; ``zero_init_residual`` starts each
    block's last BatchNorm weight at 0, so every block begins as the identity."""

    def __init__(
        self, block: type[BasicBlock], layers: list[int], num_classes: int = 1000,
        zero_init_residual: bool = False, norm_layer: NormLayer | None = None,
    ) -> None:
        super().__init__()
        check.positive_int("ResNet", "num_classes", num_classes)
        check.flag("ResNet", "zero_init_residual", zero_init_residual)
        self._norm_layer = nn.BatchNorm2d if norm_layer is None else check.function(
            "ResNet", "norm_layer", norm_layer, "norm_layer(channels), e.g. nn.BatchNorm2d")
        if not isinstance(layers, (list, tuple)) or len(layers) != 4:
            raise ValueError(f"ResNet: layers must be 4 numbers of blocks, one per stage (e.g. "
                             f"[2, 2, 2, 2] for ResNet-18), got {layers!r:.60}")
        for count in layers:
            check.positive_int("ResNet", "each number of blocks in layers", count)
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = self._norm_layer(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2)
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2)
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
        if zero_init_residual:
            for module in self.modules():
                if isinstance(module, BasicBlock):
                    nn.init.zeros_(module.bn2.weight)

    def _make_layer(self, block: type[BasicBlock], planes: int, blocks: int, stride: int = 1
                    ) -> nn.Sequential:
        """One stage: ``blocks`` blocks of ``planes`` channels, the first dividing the size
        by ``stride`` (with a 1×1 convolution on its shortcut when the shape changes)."""
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                conv1x1(self.inplanes, planes * block.expansion, stride),
                self._norm_layer(planes * block.expansion),
            )
        layers = [block(self.inplanes, planes, stride, downsample, self._norm_layer)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes, norm_layer=self._norm_layer)
                   for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x: tinydl.Tensor) -> tinydl.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(tinydl.flatten(self.avgpool(x), 1))


def _resnet(name: str, layers: list[int], weights: Any, progress: bool, options: dict[str, Any]
            ) -> ResNet:
    if weights is not None:
        raise ValueError(
            f"{name}(weights={weights!r}): tinydl downloads no pretrained weights; build it "
            f"with weights=None, and to start from torchvision's weights, save them in "
            f"PyTorch (torch.save(model.state_dict(), path)) and load that file with "
            f"model.load_state_dict(tinydl.load(path), strict=False)"
        )
    check.flag(f"{name}()", "progress", progress)
    unknown = set(options) - {"num_classes", "zero_init_residual", "norm_layer"}
    if unknown:
        raise TypeError(
            f"{name}() got {sorted(unknown)[0]!r}: tinydl's ResNet takes num_classes, "
            f"zero_init_residual and norm_layer (torchvision's groups, width_per_group and "
            f"replace_stride_with_dilation apply to its bottleneck networks, not offered)"
        )
    return ResNet(BasicBlock, layers, **options)


def resnet18(*, weights: Any = None, progress: bool = True, **options: Any) -> ResNet:
    """ResNet-18 (11,689,512 parameters with 1000 classes), with random weights."""
    return _resnet("resnet18", [2, 2, 2, 2], weights, progress, options)


def resnet34(*, weights: Any = None, progress: bool = True, **options: Any) -> ResNet:
    """ResNet-34 (21,797,672 parameters with 1000 classes), with random weights."""
    return _resnet("resnet34", [3, 4, 6, 3], weights, progress, options)


__all__ = ["BasicBlock", "ResNet", "resnet18", "resnet34"]
