"""NumPy's .npy and .npz files against tapeless (io/npy.hpp), both ways.

Run as: /usr/bin/python3 numpy_files.py <weights_tool> <scratch dir>

NumPy writes arrays with np.save and np.savez (whose members have ZIP64
local headers); tapeless loads them into tensors of the declared shapes
and writes them again, as .npy, .npz and safetensors. Checked:
- tapeless's .npy file is byte for byte the file np.save writes;
- np.load reads every array tapeless wrote, bit-exact (NaN, -0, denormals,
  int64 extremes), with its dtype and shape ((n,) for a vector);
- the safetensors file tapeless writes from a .npz meets the specification
  and holds the same bits;
- arrays tapeless does not read (Fortran order, big-endian,
  np.savez_compressed, another dtype) are refused with a message naming
  the file (and the array, in an archive), and status 1.
"""

import os
import sys

from interop_common import np, read_safetensors, same, tool

scratch = sys.argv[2]
os.makedirs(scratch, exist_ok=True)


def path(name):
    return os.path.join(scratch, name)


rng = np.random.default_rng(7)
arrays = {
    "w": rng.standard_normal((3, 4)).astype("<f4"),
    "b": rng.standard_normal(5),  # float64, one dimension
    "n": np.array([[np.iinfo(np.int64).min, -1, 0], [1, 2, np.iinfo(np.int64).max]], "<i8"),
    "odd": np.array([[np.nan, -0.0], [np.finfo(np.float64).smallest_subnormal, np.inf]]),
}
specs = {"w": "w:f32:3x4", "b": "b:f64:5", "n": "n:i64:2x3", "odd": "odd:f64:2x2"}
arrays["w"][1, 2] = -0.0

# .npy: one array each; tapeless's file must be np.save's, byte for byte.
for name, a in arrays.items():
    np.save(path(f"{name}.npy"), a)
    tool("convert", path(f"{name}.npy"), path(f"{name}.tl.npy"), specs[name])
    with open(path(f"{name}.npy"), "rb") as f, open(path(f"{name}.tl.npy"), "rb") as g:
        assert f.read() == g.read(), f"{name}: tapeless's .npy differs from np.save's"
    assert same(np.load(path(f"{name}.tl.npy")), a), name

# .npz: np.savez's archive into tapeless, and tapeless's .npz and
# safetensors back.
np.savez(path("all.npz"), **arrays)
tool("convert", path("all.npz"), path("all.tl.npz"), *specs.values())
tool("convert", path("all.npz"), path("all.tl.safetensors"), *specs.values())
with np.load(path("all.tl.npz")) as z:
    assert sorted(z.files) == sorted(arrays), z.files
    for name, a in arrays.items():
        assert same(z[name], a), name
read, header_length = read_safetensors(path("all.tl.safetensors"))
assert (8 + header_length) % 8 == 0, "data not aligned to 8 bytes"
for name, a in arrays.items():
    assert same(read[name].reshape(a.shape), a), name

# Refusals, each naming the file (and the array of an archive).
def refused(file, spec, expected):
    message = tool("convert", file, path("never.npz"), spec, expect_ok=False)
    assert expected in message, f"expected {expected!r} in {message!r}"
    assert not os.path.exists(path("never.npz"))


np.save(path("fortran.npy"), np.asfortranarray(arrays["w"]))
refused(path("fortran.npy"), specs["w"],
        f"tapeless: npy {path('fortran.npy')}: fortran_order is True")
np.save(path("big.npy"), arrays["w"].astype(">f4"))
refused(path("big.npy"), specs["w"],
        f"tapeless: npy {path('big.npy')}: big-endian dtype '>f4': tapeless reads "
        "little-endian arrays; save a.astype('<f4') instead")
np.save(path("half.npy"), arrays["w"].astype("<f2"))
refused(path("half.npy"), specs["w"],
        f"tapeless: npy {path('half.npy')}: expected [3, 4] <f4, found [3, 4] <f2")
np.savez_compressed(path("packed.npz"), w=arrays["w"])
refused(path("packed.npz"), specs["w"],
        f"tapeless: npz {path('packed.npz')}: member w.npy is compressed (deflate)")
np.savez(path("short.npz"), w=arrays["w"][:2])
refused(path("short.npz"), specs["w"],
        f"tapeless: npz {path('short.npz')}: tensor w: expected [3, 4] <f4, found [2, 4] <f4")
print("numpy", np.__version__, ": .npy and .npz both ways, bit-exact; refusals named")
