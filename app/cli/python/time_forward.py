#!/usr/bin/python3
"""Times one forward call of a TorchScript denoiser alone, without any sampler around it.

Used in docs/performance.md to find where `bench speed`'s time goes: if the studio's whole sample
takes about (NFE x one call), the sampler's own work is not what is left to cut. Tries the module
as saved, frozen, frozen and optimised, in channels-last layout, and at several batch sizes.
Prints one line per variant: milliseconds per call (median of --repeats) and per image.

    /usr/bin/python3 time_forward.py MODEL.pt [--threads 2] [--repeats 40] [--batches 4,8,16,32,64]
"""
import argparse
import statistics
import time

import torch


def time_calls(module, batch, repeats, channels_last=False):
    x = torch.randn(batch, 1, 28, 28)
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    c_noise = torch.full((batch,), 0.25)
    labels = torch.zeros(batch, dtype=torch.long)
    times = []
    with torch.inference_mode():
        for _ in range(5):
            module(x, c_noise, labels)
        for _ in range(repeats):
            start = time.perf_counter()
            module(x, c_noise, labels)
            times.append(time.perf_counter() - start)
    return 1000.0 * statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--batches", default="4,8,16,32,64")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    def load():
        return torch.jit.load(args.model).eval()

    variants = [
        ("as saved", load(), False),
        ("frozen", torch.jit.freeze(load()), False),
        ("frozen and optimised", torch.jit.optimize_for_inference(torch.jit.freeze(load())), False),
        ("channels-last", load().to(memory_format=torch.channels_last), True),
    ]
    for name, module, channels_last in variants:
        ms = time_calls(module, 16, args.repeats, channels_last)
        print(f"{name:22s} batch 16   {ms:7.2f} ms per call   {ms / 16:6.3f} ms per image")
    module = load()
    for batch in (int(b) for b in args.batches.split(",")):
        ms = time_calls(module, batch, args.repeats)
        print(f"{'as saved':22s} batch {batch:<4d} {ms:7.2f} ms per call   {ms / batch:6.3f} ms per image")


if __name__ == "__main__":
    main()
