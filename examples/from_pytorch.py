"""The PyTorch half of examples/from_pytorch.cpp: trains the network that
the C++ example loads, and shows how to load what it saves back.

    /usr/bin/python3 examples/from_pytorch.py            # writes examples/data/digits_torch.safetensors
    /usr/bin/python3 examples/from_pytorch.py --check digits_inverted.safetensors

Needs Debian's python3-torch and python3-numpy. The digits are
examples/data/digits.csv.gz, pixels scaled to 0..1; rows whose index is a
multiple of 5 are held out (the C++ example splits the same way). The
weights are saved as safetensors, written here by the format's
specification (safetensors.torch.save_file(net.state_dict(), path) writes
the same file where the safetensors package is installed).
"""

import gzip
import json
import os
import struct
import sys

import numpy as np
import torch
from torch import nn

here = os.path.dirname(os.path.abspath(__file__))
with gzip.open(os.path.join(here, "data", "digits.csv.gz"), "rt") as f:
    rows = np.loadtxt(f, delimiter=",", dtype=np.float32)
x, labels = torch.from_numpy(rows[:, :64] / 16), torch.from_numpy(rows[:, 64]).long()
held_out = torch.arange(len(rows)) % 5 == 0


def network():
    # tapeless: tl::model<struct net, float, tl::Dense<64, 32, tl::ReLU>, tl::Dense<32, 10>>
    return nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))


def accuracy(net, inputs):
    with torch.no_grad():
        return (net(inputs[held_out]).argmax(1) == labels[held_out]).float().mean().item()


def save_safetensors(path, state_dict, metadata):
    header, data = {"__metadata__": metadata}, b""
    for name, t in state_dict.items():
        raw = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape),
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def load_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    return {name: torch.from_numpy(np.frombuffer(
                raw[8 + n + i["data_offsets"][0]:8 + n + i["data_offsets"][1]],
                dtype="<f4").reshape(i["shape"]).copy())
            for name, i in header.items()}


if len(sys.argv) == 3 and sys.argv[1] == "--check":
    # What the C++ example saved: fine-tuned on inverted digits (1 - x).
    net = network()
    net.load_state_dict(load_safetensors(sys.argv[2]), strict=True)
    print(f"fine-tuned in tapeless, in PyTorch: held-out accuracy {accuracy(net, x):.4f} "
          f"on the digits, {accuracy(net, 1 - x):.4f} on the inverted digits")
    sys.exit(0)

torch.manual_seed(2026)
net = network()
train = ~held_out
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
for epoch in range(40):
    order = torch.randperm(int(train.sum()))
    for b in range(0, len(order), 32):
        rows_b = order[b:b + 32]
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(net(x[train][rows_b]), labels[train][rows_b])
        loss.backward()
        optimizer.step()
out = os.path.join(here, "data", "digits_torch.safetensors")
save_safetensors(out, net.state_dict(),
                 {"trained_by": "examples/from_pytorch.py", "torch": torch.__version__,
                  "held_out_accuracy": f"{accuracy(net, x):.4f}"})
print(f"torch {torch.__version__}: held-out accuracy {accuracy(net, x):.4f}; wrote {out}")
