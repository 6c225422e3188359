"""The compact EfficientNet in PyTorch: the EfficientNet-B0 design (Tan & Le 2019, table 1) scaled by
width/depth coefficients, for training. Its twin for inference is models/training/efficientnet-tfjs.ts;
both build from the same resolved `spec` (plain JSON), and modules carry the Keras layer names so the
exporter maps weights by name.

Differences from B0, all for a small, CPU-trainable model whose Grad-CAM layer stays at least 8x8:
- width 0.35, depth 0.5, input 128 px;
- stage 6 keeps stride 1, so the network's output stride is 16 (B0: 32), the top activation 8x8;
- batch-norm epsilon 1e-3 (Keras's EfficientNet value) on both sides, so exported statistics mean the same.
Padding follows TensorFlow's "same": for stride 2 on even inputs the extra row/column goes bottom/right.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

# (expand ratio, kernel, stride, input filters, output filters, repeats) per B0 stage.
B0_STAGES = [
    (1, 3, 1, 32, 16, 1),
    (6, 3, 2, 16, 24, 2),
    (6, 5, 2, 24, 40, 2),
    (6, 3, 2, 40, 80, 3),
    (6, 5, 1, 80, 112, 3),
    (6, 5, 2, 112, 192, 4),
    (6, 3, 1, 192, 320, 1),
]
SE_RATIO = 0.25
BN_EPSILON = 1e-3
DEFAULT_SCALING = dict(width=0.35, depth=0.5, input_size=128, stage_strides=[1, 2, 2, 2, 1, 1, 1])


def round_filters(filters, width, divisor=8):
    """Keras's rule: scale, round to a multiple of 8, never more than 10% below the scaled value."""
    scaled = filters * width
    rounded = max(divisor, int(scaled + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * scaled:
        rounded += divisor
    return int(rounded)


def make_spec(num_classes, width, depth, input_size, stage_strides):
    """Resolves the scaled design into concrete layers: the spec both frameworks build from."""
    blocks = []
    for stage, ((expand, kernel, stride, f_in, f_out, repeats), s) in enumerate(zip(B0_STAGES, stage_strides)):
        f_in, f_out = round_filters(f_in, width), round_filters(f_out, width)
        for j in range(int(math.ceil(depth * repeats))):
            block_in = f_in if j == 0 else f_out
            blocks.append(dict(
                name=f"block{stage + 1}{chr(ord('a') + j)}",
                inputFilters=block_in,
                outputFilters=f_out,
                expandRatio=expand,
                kernel=kernel,
                stride=s if j == 0 else 1,
                seFilters=max(1, int(block_in * SE_RATIO)),
            ))
    return dict(
        inputSize=input_size,
        numClasses=num_classes,
        bnEpsilon=BN_EPSILON,
        stemFilters=round_filters(32, width),
        blocks=blocks,
        topFilters=round_filters(1280, width),
    )


def tf_same_pad(x, kernel, stride):
    """TensorFlow's "same" padding: total max((ceil(n/s)-1)*s + k - n, 0), the odd pixel at the end."""
    pads = []
    for n in reversed(x.shape[-2:]):
        total = max((math.ceil(n / stride) - 1) * stride + kernel - n, 0)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads)


class SameConv2d(nn.Conv2d):
    def forward(self, x):
        return F.conv2d(tf_same_pad(x, self.kernel_size[0], self.stride[0]), self.weight, self.bias,
                        self.stride, 0, self.dilation, self.groups)


class CompactEfficientNet(nn.Module):
    """Layers live in one ModuleDict under their Keras names (e.g. "block2a_dwconv")."""

    def __init__(self, spec, dropout=0.2):
        super().__init__()
        self.spec = spec
        eps = spec["bnEpsilon"]
        L = nn.ModuleDict()
        L["stem_conv"] = SameConv2d(3, spec["stemFilters"], 3, 2, bias=False)
        L["stem_bn"] = nn.BatchNorm2d(spec["stemFilters"], eps=eps)
        for b in spec["blocks"]:
            n, f_in, f_out = b["name"], b["inputFilters"], b["outputFilters"]
            mid = f_in * b["expandRatio"]
            if b["expandRatio"] != 1:
                L[f"{n}_expand_conv"] = nn.Conv2d(f_in, mid, 1, bias=False)
                L[f"{n}_expand_bn"] = nn.BatchNorm2d(mid, eps=eps)
            L[f"{n}_dwconv"] = SameConv2d(mid, mid, b["kernel"], b["stride"], groups=mid, bias=False)
            L[f"{n}_bn"] = nn.BatchNorm2d(mid, eps=eps)
            L[f"{n}_se_reduce"] = nn.Conv2d(mid, b["seFilters"], 1)
            L[f"{n}_se_expand"] = nn.Conv2d(b["seFilters"], mid, 1)
            L[f"{n}_project_conv"] = nn.Conv2d(mid, f_out, 1, bias=False)
            L[f"{n}_project_bn"] = nn.BatchNorm2d(f_out, eps=eps)
        last = spec["blocks"][-1]["outputFilters"]
        L["top_conv"] = nn.Conv2d(last, spec["topFilters"], 1, bias=False)
        L["top_bn"] = nn.BatchNorm2d(spec["topFilters"], eps=eps)
        L["logits"] = nn.Linear(spec["topFilters"], spec["numClasses"])
        self.layers = L
        self.dropout = nn.Dropout(dropout)

    def features(self, x):
        """Input (normalised, NCHW) -> the top activation, the Grad-CAM layer."""
        L = self.layers
        x = F.silu(L["stem_bn"](L["stem_conv"](x)))
        for b in self.spec["blocks"]:
            n = b["name"]
            y = x
            if b["expandRatio"] != 1:
                y = F.silu(L[f"{n}_expand_bn"](L[f"{n}_expand_conv"](y)))
            y = F.silu(L[f"{n}_bn"](L[f"{n}_dwconv"](y)))
            s = y.mean((2, 3), keepdim=True)
            s = torch.sigmoid(L[f"{n}_se_expand"](F.silu(L[f"{n}_se_reduce"](s))))
            y = L[f"{n}_project_bn"](L[f"{n}_project_conv"](y * s))
            if b["stride"] == 1 and b["inputFilters"] == b["outputFilters"]:
                y = y + x
            x = y
        return F.silu(L["top_bn"](L["top_conv"](x)))

    def forward(self, x):
        """Logits (pre-sigmoid class scores)."""
        return self.layers["logits"](self.dropout(self.features(x).mean((2, 3))))


def tfjs_weights(model):
    """The weights under their TF.js names ("layer/param") in TF layouts, as float32 numpy arrays.

    PyTorch -> TF: conv OIHW -> HWIO; depthwise (C,1,H,W) -> (H,W,C,1); dense (out,in) -> (in,out);
    batch norm weight/bias/running stats -> gamma/beta/moving_mean/moving_variance.
    """
    out = {}
    for name, module in model.layers.items():
        if isinstance(module, nn.BatchNorm2d):
            out[f"{name}/gamma"] = module.weight
            out[f"{name}/beta"] = module.bias
            out[f"{name}/moving_mean"] = module.running_mean
            out[f"{name}/moving_variance"] = module.running_var
        elif isinstance(module, nn.Conv2d) and module.groups > 1:
            out[f"{name}/depthwise_kernel"] = module.weight.permute(2, 3, 0, 1)
        elif isinstance(module, nn.Conv2d):
            out[f"{name}/kernel"] = module.weight.permute(2, 3, 1, 0)
            if module.bias is not None:
                out[f"{name}/bias"] = module.bias
        elif isinstance(module, nn.Linear):
            out[f"{name}/kernel"] = module.weight.t()
            out[f"{name}/bias"] = module.bias
        else:
            raise TypeError(f"no TF.js mapping for {name}: {type(module).__name__}")
    return {k: v.detach().contiguous().numpy().astype("float32") for k, v in out.items()}


def load_tfjs_weights(model, weights):
    """The inverse of tfjs_weights: TF.js-named float32 arrays in TF layouts into the model's modules."""
    state = {}
    for name, module in model.layers.items():
        def take(param):
            key = f"{name}/{param}"
            if key not in weights:
                raise KeyError(f"no weight {key}")
            return torch.from_numpy(weights[key].copy())
        if isinstance(module, nn.BatchNorm2d):
            state.update({f"layers.{name}.weight": take("gamma"), f"layers.{name}.bias": take("beta"),
                          f"layers.{name}.running_mean": take("moving_mean"), f"layers.{name}.running_var": take("moving_variance")})
        elif isinstance(module, nn.Conv2d) and module.groups > 1:
            state[f"layers.{name}.weight"] = take("depthwise_kernel").permute(2, 3, 0, 1)
        elif isinstance(module, nn.Conv2d):
            state[f"layers.{name}.weight"] = take("kernel").permute(3, 2, 0, 1)
            if module.bias is not None:
                state[f"layers.{name}.bias"] = take("bias")
        elif isinstance(module, nn.Linear):
            state[f"layers.{name}.weight"] = take("kernel").t()
            state[f"layers.{name}.bias"] = take("bias")
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise KeyError(f"missing {missing}, unexpected {unexpected}")
    return model
