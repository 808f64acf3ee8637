#!/usr/bin/python3
"""Exports a U-Net weights file of the studio (models/fashion-unet.pt) as TorchScript, with its sidecar.

The network is the studio's EDM U-Net (engine/src/models/edm_unet.cpp) written again in Python
with the same module names, so that the weights load by name; the TorchScript file returns the raw
network output F (sidecar "output": "raw"), and the studio applies EDM's preconditioning to it as
it does for the native model. `irlstudio-cli bench speed --torchscript FILE` compares the two.

    /usr/bin/python3 export_unet_torchscript.py WEIGHTS OUT.pt

Run with Debian's python3-torch (the same 1.13 as libtorch-dev).
"""
import io
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

NOISE_FEATURES = 64


def groups_for(channels):
    return 8 if channels % 8 == 0 else 1


def conv3x3(cin, cout, stride=1):
    return torch.nn.Conv2d(cin, cout, 3, stride=stride, padding=1)


class ResidualBlock(torch.nn.Module):
    def __init__(self, cin, cout, embedding):
        super().__init__()
        self.norm1 = torch.nn.GroupNorm(groups_for(cin), cin)
        self.conv1 = conv3x3(cin, cout)
        self.norm2 = torch.nn.GroupNorm(groups_for(cout), cout)
        self.conv2 = conv3x3(cout, cout)
        self.modulation = torch.nn.Linear(embedding, 2 * cout)
        self.skip = torch.nn.Conv2d(cin, cout, 1) if cin != cout else torch.nn.Identity()

    def forward(self, x, embedding):
        h = self.conv1(F.silu(self.norm1(x)))
        scale, shift = self.modulation(embedding).unsqueeze(-1).unsqueeze(-1).chunk(2, 1)
        h = F.silu(self.norm2(h) * (1 + scale) + shift)
        return self.conv2(h) + self.skip(x)


class SelfAttention(torch.nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.norm = torch.nn.GroupNorm(groups_for(channels), channels)
        self.qkv = torch.nn.Conv2d(channels, 3 * channels, 1)
        self.project = torch.nn.Conv2d(channels, channels, 1)

    def forward(self, x):
        n, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(n, 3, c, h * w).unbind(1)
        weights = torch.softmax(torch.bmm(q.transpose(1, 2), k) / math.sqrt(c), -1)
        return x + self.project(torch.bmm(v, weights.transpose(1, 2)).reshape(n, c, h, w))


class EdmUnet(torch.nn.Module):
    def __init__(self, config):
        super().__init__()
        ch = config["channels"]
        e = config["embedding"]
        self.num_classes = int(config["num_classes"])
        self.register_buffer("frequencies", torch.exp(torch.linspace(0.0, math.log(1000.0), NOISE_FEATURES // 2)))
        self.embed1 = torch.nn.Linear(NOISE_FEATURES, e)
        self.embed2 = torch.nn.Linear(e, e)
        self.label_embedding = torch.nn.Embedding(self.num_classes + 1, e) if self.num_classes > 0 else None
        self.input = conv3x3(config["image_channels"], ch[0])
        self.down_blocks = torch.nn.ModuleList()
        self.downsamplers = torch.nn.ModuleList()
        previous = ch[0]
        for level in range(len(ch)):
            self.down_blocks.append(ResidualBlock(previous, ch[level], e))
            previous = ch[level]
            if level + 1 < len(ch):
                self.downsamplers.append(conv3x3(ch[level], ch[level], 2))
        self.middle1 = ResidualBlock(previous, previous, e)
        self.middle_attention = SelfAttention(previous) if config["attention_at_lowest"] else torch.nn.Identity()
        self.middle2 = ResidualBlock(previous, previous, e)
        self.up_blocks = torch.nn.ModuleList()
        self.upsamplers = torch.nn.ModuleList()
        for i in reversed(range(len(ch))):
            self.up_blocks.append(ResidualBlock(previous + ch[i], ch[i], e))
            previous = ch[i]
            if i > 0:
                self.upsamplers.append(conv3x3(ch[i], ch[i - 1]))
                previous = ch[i - 1]
        self.output_norm = torch.nn.GroupNorm(groups_for(ch[0]), ch[0])
        self.output = conv3x3(ch[0], config["image_channels"])
        self.levels = len(ch)

    def forward(self, x_in, c_noise, labels):
        angles = c_noise.float().unsqueeze(1) * self.frequencies.unsqueeze(0)
        embedding = self.embed2(F.silu(self.embed1(torch.cat([angles.cos(), angles.sin()], 1))))
        if self.label_embedding is not None:
            index = torch.where(labels < 0, torch.full_like(labels, self.num_classes), labels)
            embedding = embedding + self.label_embedding(index)
        embedding = F.silu(embedding)
        h = self.input(x_in)
        skips = []
        for level, block in enumerate(self.down_blocks):
            h = block(h, embedding)
            skips.append(h)
            for j, down in enumerate(self.downsamplers):
                if j == level:
                    h = down(h)
        h = self.middle1(h, embedding)
        h = self.middle_attention(h)
        h = self.middle2(h, embedding)
        for j, block in enumerate(self.up_blocks):
            h = block(torch.cat([h, skips[self.levels - 1 - j]], 1), embedding)
            for k, up in enumerate(self.upsamplers):
                if k == j:
                    h = up(F.interpolate(h, scale_factor=2.0, mode="nearest"))
        return self.output(F.silu(self.output_norm(h)))


def load_weights(path):
    data = open(path, "rb").read()
    if data.startswith(b"#irlstudio "):
        data = data[data.index(b"\n") + 1:]
    archive = torch.jit.load(io.BytesIO(data))
    config = json.loads(archive.config)
    model = EdmUnet(config)
    state = {name[len("model."):]: value for name, value in list(archive.named_parameters()) + list(archive.named_buffers())}
    model.load_state_dict(state, strict=True)  # every name must match, in both directions
    return model.eval(), config


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    weights, out = sys.argv[1], sys.argv[2]
    model, config = load_weights(weights)
    scripted = torch.jit.script(model)
    scripted.save(out + ".tmp")
    os.replace(out + ".tmp", out)
    sidecar = {"input_shape": [config["image_channels"], config["image_size"], config["image_size"]],
               "num_classes": config["num_classes"], "sigma_data": config["sigma_data"], "output": "raw"}
    with open(os.path.splitext(out)[0] + ".json", "w") as f:
        json.dump(sidecar, f, indent=2)


if __name__ == "__main__":
    main()
