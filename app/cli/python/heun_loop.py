#!/usr/bin/python3
"""The plain Python loop that `irlstudio-cli bench speed --python-loop` times against the studio.

Heun's method (EDM, Karras et al. 2022, Alg. 1 without churn) on a Karras schedule, over a
TorchScript denoiser with its sidecar, frozen and optimised for inference exactly as the studio
does. Prints one JSON object: the median wall time of --repeats runs, after one warm-up run.

    /usr/bin/python3 heun_loop.py MODEL.pt [--count 16] [--nfe 19] [--repeats 5] [--threads 2]
"""
import argparse
import json
import os
import statistics
import time

import torch


def karras(steps, sigma_min=0.002, sigma_max=80.0, rho=7.0):
    ramp = torch.linspace(0, 1, steps)
    lo, hi = sigma_min ** (1 / rho), sigma_max ** (1 / rho)
    return torch.cat([(hi + ramp * (lo - hi)) ** rho, torch.zeros(1)])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--count", type=int, default=16)
    parser.add_argument("--nfe", type=int, default=19)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    with open(os.path.splitext(args.model)[0] + ".json") as f:
        sidecar = json.load(f)
    model = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.load(args.model).eval()))
    sd = float(sidecar["sigma_data"])
    raw = sidecar["output"] == "raw"
    classes = int(sidecar["num_classes"])
    labels = torch.arange(args.count) % classes if classes > 0 else torch.full((args.count,), -1)

    def denoise(x, sigma):
        s = torch.full((x.shape[0],), float(sigma))
        if not raw:
            return model(x, s, labels)
        total = s * s + sd * sd
        c_in = torch.rsqrt(total).reshape(-1, 1, 1, 1)
        c_skip = (sd * sd / total).reshape(-1, 1, 1, 1)
        c_out = (s * sd / torch.sqrt(total)).reshape(-1, 1, 1, 1)
        return c_skip * x + c_out * model(c_in * x, torch.log(s) / 4, labels)

    steps = (args.nfe + 1) // 2  # Heun: two evaluations a step, one on the last (to sigma = 0)
    sigmas = karras(steps)
    shape = [args.count] + list(sidecar["input_shape"])

    def run(seed):
        generator = torch.Generator().manual_seed(seed)
        x = torch.randn(shape, generator=generator) * sigmas[0]
        evaluations = 0
        for i in range(steps):
            s, s_next = float(sigmas[i]), float(sigmas[i + 1])
            d = (x - denoise(x, s)) / s
            evaluations += 1
            x_next = x + (s_next - s) * d
            if s_next > 0:
                d_next = (x_next - denoise(x_next, s_next)) / s_next
                evaluations += 1
                x_next = x + (s_next - s) * 0.5 * (d + d_next)
            x = x_next
        return evaluations

    with torch.inference_mode():
        run(1000)  # warm-up
        seconds = []
        for r in range(args.repeats):
            start = time.perf_counter()
            evaluations = run(r)
            seconds.append(time.perf_counter() - start)
    print(json.dumps({"median_seconds": statistics.median(seconds), "min_seconds": min(seconds), "max_seconds": max(seconds),
                      "nfe": evaluations, "samples": args.count, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
