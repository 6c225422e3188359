"""Trains the compact EfficientNet on scenes written by write-dataset.ts and exports its weights for the
TF.js exporter (export-tfjs.ts). Normally run by `npm run train` (models/training/train.ts), not by hand.

    /usr/bin/python3 models/training/train.py --data DIR --val DIR --out DIR --seed 1 --epochs 3

Writes into --out:
  export.json + export.bin   spec, TF.js-named float32 weights (TF layouts), preprocessing, training log;
  reference.u8 / reference.f32   the first validation images and this model's logits on them, so the
                                 exporter can prove the TF.js forward pass matches PyTorch's;
  checkpoint.pt              the PyTorch state dict.
With --init-only it skips training and randomises the batch-norm statistics (for the parity test).
"""
import argparse
import json
import math
import os
import random
import sys
import time

# Sleeping, not spinning, OpenMP workers: on a shared 2-core machine spinning threads starve each other.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from efficientnet import DEFAULT_SCALING, CompactEfficientNet, make_spec, tfjs_weights  # noqa: E402

# x = (pixel - 127.5) / 127.5: inputs in [-1, 1]. The manifest carries the same numbers.
PIXEL_MEAN = 127.5
PIXEL_STD = 127.5


def load_scenes(folder):
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    n, s, c = meta["count"], meta["size"], len(meta["classes"])
    images = np.memmap(os.path.join(folder, "images.u8"), np.uint8, "r", shape=(n, s, s, 3))
    labels = np.fromfile(os.path.join(folder, "labels.u8"), np.uint8).reshape(n, c)
    return meta, images, labels


def to_input(batch_u8):
    """uint8 NHWC -> normalised float NCHW."""
    x = torch.from_numpy(np.array(batch_u8, copy=True)).permute(0, 3, 1, 2).float()
    return (x - PIXEL_MEAN) / PIXEL_STD


def augment(batch_u8, rng):
    """Random right-angle rotations and mirrors: scenes are rotation-uniform, so labels stay true."""
    out = np.empty_like(batch_u8)
    for i, img in enumerate(batch_u8):
        img = np.rot90(img, rng.integers(4))
        out[i] = img[:, ::-1] if rng.integers(2) else img
    return out


def average_precision(scores, labels):
    order = np.argsort(-scores, kind="stable")
    hits = labels[order] > 0
    if hits.sum() == 0:
        return float("nan")
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision[hits].mean())


@torch.no_grad()
def predict(model, images, batch_size=128):
    model.eval()
    return np.concatenate([model(to_input(images[i:i + batch_size])).numpy()
                           for i in range(0, len(images), batch_size)])


def mean_ap(logits, labels):
    return float(np.nanmean([average_precision(logits[:, c], labels[:, c]) for c in range(labels.shape[1])]))


def randomise_batch_norm(model, generator):
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            with torch.no_grad():
                m.weight.uniform_(0.5, 1.5, generator=generator)
                m.bias.uniform_(-0.2, 0.2, generator=generator)
                m.running_mean.uniform_(-0.5, 0.5, generator=generator)
                m.running_var.uniform_(0.5, 2.0, generator=generator)


def train(model, images, labels, args, log):
    rng = np.random.default_rng(args.seed)
    steps_per_epoch = len(images) // args.batch_size
    total = steps_per_epoch * args.epochs if args.max_steps is None else args.max_steps
    warmup = max(1, int(0.03 * total))
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup))))
    step, start = 0, time.time()
    while step < total:
        order = rng.permutation(len(images))
        model.train()
        for b in range(steps_per_epoch):
            if step >= total:
                break
            # Sorted indices read the memory-mapped file front to back.
            idx = np.sort(order[b * args.batch_size:(b + 1) * args.batch_size])
            x = to_input(augment(images[idx], rng))
            y = torch.from_numpy(labels[idx].astype(np.float32))
            loss = F.binary_cross_entropy_with_logits(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            log["loss"].append(round(loss.item(), 5))
            step += 1
            if step % 100 == 0 or step == total:
                recent = np.mean(log["loss"][-100:])
                rate = step * args.batch_size / (time.time() - start)
                print(f"step {step}/{total} loss {recent:.4f} lr {sched.get_last_lr()[0]:.2e} {rate:.0f} img/s", flush=True)
        if args.val_images is not None and (step % steps_per_epoch == 0 or step == total):
            m = mean_ap(predict(model, args.val_images), args.val_labels)
            log["val_map"].append(round(m, 4))
            print(f"after step {step}: validation mAP {m:.4f}", flush=True)
    log["train_seconds"] = round(time.time() - start, 1)


def write_export(model, spec, out, reference_images, log):
    os.makedirs(out, exist_ok=True)
    weights = tfjs_weights(model)
    entries, offset = [], 0
    with open(os.path.join(out, "export.bin"), "wb") as f:
        for name, array in weights.items():
            f.write(array.astype("<f4").tobytes())
            entries.append(dict(name=name, shape=list(array.shape), offset=offset))
            offset += array.nbytes
    logits = predict(model, reference_images)
    reference_images.tofile(os.path.join(out, "reference.u8"))
    logits.astype("<f4").tofile(os.path.join(out, "reference.f32"))
    with open(os.path.join(out, "export.json"), "w") as f:
        json.dump(dict(spec=spec, weights=entries, preprocessing=dict(mean=[PIXEL_MEAN] * 3, std=[PIXEL_STD] * 3),
                       reference=dict(count=len(reference_images)), log=log), f)
    torch.save(model.state_dict(), os.path.join(out, "checkpoint.pt"))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", help="training scenes (folder written by write-dataset.ts)")
    p.add_argument("--val", required=True, help="validation scenes; also the parity reference inputs")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--max-steps", type=int, help="stop after this many steps (tests)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--weight-decay", type=float, default=1e-4)
    p.add_argument("--reference-count", type=int, default=32)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--init-only", action="store_true", help="no training; random batch-norm statistics")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)

    val_meta, val_images, val_labels = load_scenes(args.val)
    if val_meta["size"] != DEFAULT_SCALING["input_size"]:
        raise SystemExit(f"scenes are {val_meta['size']} px, the model takes {DEFAULT_SCALING['input_size']}")
    spec = make_spec(len(val_meta["classes"]), **DEFAULT_SCALING)
    model = CompactEfficientNet(spec)
    log = dict(seed=args.seed, loss=[], val_map=[], args={k: v for k, v in vars(args).items()})
    print(f"compact EfficientNet: {sum(p.numel() for p in model.parameters())} parameters", flush=True)

    if args.init_only:
        randomise_batch_norm(model, torch.Generator().manual_seed(args.seed))
    else:
        meta, images, labels = load_scenes(args.data)
        args.val_images, args.val_labels = np.asarray(val_images), val_labels
        print(f"training on {meta['count']} scenes, validating on {val_meta['count']}", flush=True)
        train(model, images, labels, args, log)
        del args.val_images, args.val_labels
    model.eval()
    write_export(model, spec, args.out, np.asarray(val_images[:args.reference_count]), log)
    print(f"wrote {args.out}", flush=True)


if __name__ == "__main__":
    main()
