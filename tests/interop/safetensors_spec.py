"""safetensors files written by the specification, against tapeless
(io/safetensors.hpp), both ways. No safetensors package: the reader and
writer in interop_common.py follow the format's README.

Run as: /usr/bin/python3 safetensors_spec.py <weights_tool> <scratch dir>

Checked:
- a file written in another order than tapeless's, with __metadata__, is
  loaded (converted to .npz, read back with np.load, bit-exact);
- the file tapeless writes meets the specification (read_safetensors
  asserts every rule: header length, JSON, dtypes, ranges tiling the data)
  and holds the same bits, with its data aligned to 8 bytes;
- a file whose ranges overlap, and one whose header length runs past the
  file, are refused naming the file and the tensor.
"""

import json
import os
import struct
import sys

from interop_common import np, read_safetensors, same, tool, write_safetensors

scratch = sys.argv[2]
os.makedirs(scratch, exist_ok=True)


def path(name):
    return os.path.join(scratch, name)


rng = np.random.default_rng(11)
arrays = {
    "layer.weight": rng.standard_normal((4, 3)).astype("<f4"),
    "layer.bias": rng.standard_normal(4).astype("<f4"),
    "scale": rng.standard_normal((2, 2)),
    "steps": np.array([[3, -4]], "<i8"),
}
specs = ["layer.weight:f32:4x3", "layer.bias:f32:4", "scale:f64:2x2", "steps:i64:1x2"]

write_safetensors(path("in.safetensors"), arrays, metadata={"format": "pt"},
                  order=["steps", "scale", "layer.bias", "layer.weight"])
tool("convert", path("in.safetensors"), path("out.npz"), *specs)
with np.load(path("out.npz")) as z:
    for name, a in arrays.items():
        assert same(z[name], a), name
tool("convert", path("in.safetensors"), path("out.safetensors"), *specs)
read, header_length = read_safetensors(path("out.safetensors"))
assert (8 + header_length) % 8 == 0
for name, a in arrays.items():
    assert same(read[name], a), name

# Overlapping ranges: scale's range moved onto steps', which comes first.
with open(path("in.safetensors"), "rb") as f:
    raw = f.read()
(n,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + n])
assert header["steps"]["data_offsets"] == [0, 16]
header["scale"]["data_offsets"] = [0, 32]
text = json.dumps(header).encode()
with open(path("overlap.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + raw[8 + n:])
message = tool("convert", path("overlap.safetensors"), path("never.npz"), *specs, expect_ok=False)
assert message.strip() == (f"tapeless: safetensors {path('overlap.safetensors')}: tensor scale: "
                           "data_offsets [0, 32] overlap tensor steps's [0, 16]"), message

with open(path("long.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", 1 << 40) + b"{}")
message = tool("convert", path("long.safetensors"), path("never.npz"), *specs, expect_ok=False)
assert message.strip() == (f"tapeless: safetensors {path('long.safetensors')}: truncated: the "
                           "header length is 1099511627776 bytes, and the file has 2 after it"), \
    message
print("safetensors by the specification: read and written both ways, bit-exact; refusals named")
