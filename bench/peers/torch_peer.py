"""The PyTorch side of `npm run bench -- --peers` (bench/peers/index.ts): one thread, the same weights as the
service's engine, timed on request so that the Node side can interleave it with the other peers.

    .venv/bin/python bench/peers/torch_peer.py --b0 DIR --onnx DIR

Models: EfficientNet-Lite0 from the packages the default model was converted from (weights rounded to
float16 where models/efficientnet-lite0 stores float16), and the B0-sized model of bench/efficientnet-b0.ts
rebuilt by models/training/efficientnet.py from the spec and weights the bench dumped into --b0. Both
are exported once to ONNX (--onnx) for the onnxruntime peers. Then one JSON command per stdin line,
{"model": ID, "op": "forward" | "gradcam-head" | "gradcam-library", "reps": N}, one JSON answer per
line, {"ms": [...]} (each repetition's wall time), or {"model": ID, "op": "logits"}, answered with
{"logits": [...]}: the logits of the timing input, so that a test can prove both sides hold the same weights.
The timing input is deterministic, x[i] = 2·sin(i) over the NCHW tensor, the same as peer_input() in index.ts.
- forward: the logits, no gradient;
- gradcam-head: Grad-CAM of the top 3 written the way the service computes it, one forward pass through
  the body, then one batched backward pass through the head only;
- gradcam-library: pytorch-grad-cam's GradCAM as people use it, for the same 3 classes (one call, its
  targets batched; it runs the whole model under autograd and scales the maps to the input).
"""
import argparse
import json
import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch
from pytorch_grad_cam import GradCAM
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "../../models/training"))
sys.path.insert(0, os.path.join(HERE, "../../scripts/reference"))
from efficientnet import CompactEfficientNet, load_tfjs_weights  # noqa: E402
from cam_goldens import Lite0WithTopActivation  # noqa: E402
from export_torch import load_lite0  # noqa: E402  (models/import/efficientnet-lite, on the path through cam_goldens)

TOP = 3


class Split:
    """A model as body (input -> Grad-CAM layer), head (layer -> logits) and the layer module itself."""

    def __init__(self, model, body, head, layer):
        self.model, self.body, self.head, self.layer = model, body, head, layer


def lite0(float16):
    net, _ = load_lite0()
    if float16:
        with torch.no_grad():
            for tensor in net.state_dict().values():
                if tensor.is_floating_point():
                    tensor.copy_(tensor.half().float())
    model = Lite0WithTopActivation(net).eval()

    def body(x):
        x = net._swish(net._bn0(net._conv_stem(x)))
        for block in net._blocks:
            x = block(x)
        return model.top_activation(net._bn1(net._conv_head(x)))

    return Split(model, body, lambda a: net._fc(a.mean((2, 3))), model.top_activation)


class B0WithTopActivation(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net
        self.top_activation = torch.nn.Identity()

    def forward(self, x):
        return self.net.layers["logits"](self.top_activation(self.net.features(x)).mean((2, 3)))


def b0(folder):
    with open(os.path.join(folder, "export.json")) as f:
        meta = json.load(f)
    flat = np.fromfile(os.path.join(folder, "export.bin"), "<f4")
    weights = {w["name"]: flat[w["offset"] // 4: w["offset"] // 4 + int(np.prod(w["shape"]))].reshape(w["shape"])
               for w in meta["weights"]}
    net = load_tfjs_weights(CompactEfficientNet(meta["spec"]), weights).eval()
    model = B0WithTopActivation(net).eval()
    return Split(model, net.features, lambda a: net.layers["logits"](a.mean((2, 3))), model.top_activation)


def gradcam_head(split, x):
    with torch.no_grad():
        a = split.body(x)
        top = torch.topk(split.head(a)[0], TOP).indices
    a = a.repeat(TOP, 1, 1, 1).requires_grad_(True)
    logits = split.head(a)
    logits.gather(1, top[:, None]).sum().backward()
    weights = a.grad.mean((2, 3), keepdim=True)
    return torch.relu((weights * a).sum(1)).detach()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--b0", required=True, help="folder with the B0-sized model's export.json + export.bin")
    p.add_argument("--onnx", required=True, help="folder for the ONNX exports")
    p.add_argument("--float16", action="store_true", help="round Lite0's weights to float16, as served")
    args = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)

    models = {"efficientnet-lite0": lite0(args.float16), "efficientnet-b0-random": b0(args.b0)}
    x = (2 * torch.sin(torch.arange(3 * 224 * 224, dtype=torch.float64))).float().reshape(1, 3, 224, 224)
    cams = {}
    os.makedirs(args.onnx, exist_ok=True)
    for model_id, split in models.items():
        onnx = os.path.join(args.onnx, f"{model_id}.onnx")
        if not os.path.exists(onnx):
            torch.onnx.export(split.model, x, onnx, input_names=["input"], output_names=["logits"], opset_version=13)
        cams[model_id] = GradCAM(split.model, [split.layer])
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)

    for line in sys.stdin:
        command = json.loads(line)
        split, op = models[command["model"]], command["op"]
        if op == "logits":
            with torch.no_grad():
                print(json.dumps({"logits": split.model(x)[0].tolist()}), flush=True)
            continue
        with torch.no_grad():
            top = torch.topk(split.model(x)[0], TOP).indices.tolist()
        ms = []
        for _ in range(command["reps"]):
            started = time.perf_counter()
            if op == "forward":
                with torch.no_grad():
                    split.model(x)
            elif op == "gradcam-head":
                gradcam_head(split, x)
            elif op == "gradcam-library":
                cams[command["model"]](input_tensor=x.repeat(TOP, 1, 1, 1), targets=[ClassifierOutputTarget(c) for c in top])
            else:
                raise SystemExit(f"unknown op {op}")
            ms.append((time.perf_counter() - started) * 1000)
        print(json.dumps({"ms": ms}), flush=True)


if __name__ == "__main__":
    main()
