"""What the interoperability scripts share: skipping (exit status 77,
which CTest reports as skipped) when a Python module is genuinely missing,
running weights_tool, and a safetensors reader and writer written from the
format's specification (Hugging Face, safetensors/README): an 8-byte
little-endian header length, a JSON header naming each tensor's dtype,
shape and [begin, end) byte range in the data section, then the data,
C order, little-endian."""

import json
import struct
import subprocess
import sys

SKIP = 77


def require(module):
    """Imports a module, or exits as skipped saying which Debian package
    provides it."""
    try:
        return __import__(module)
    except ImportError as e:
        how = {"numpy": "install Debian's python3-numpy (bash .ci/install-deps test does)",
               "torch": "install Debian's python3-torch (TAPELESS_TORCH=1 bash .ci/test "
                        "does; about 212 MB to download on a fresh Debian 12)"}[module]
        print(f"SKIPPED: {sys.executable} cannot import {module} ({e}); {how}")
        sys.exit(SKIP)


np = require("numpy")

DTYPES = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8"), "I64": np.dtype("<i8")}
NAMES = {v: k for k, v in DTYPES.items()}


def tool(*args, expect_ok=True):
    """Runs weights_tool (its path is argv[1]); returns its stderr."""
    r = subprocess.run([sys.argv[1], *map(str, args)], capture_output=True, text=True)
    if expect_ok and r.returncode != 0:
        sys.exit(f"weights_tool {' '.join(map(str, args))} failed: {r.stderr}")
    if not expect_ok and r.returncode != 1:
        sys.exit(f"weights_tool {' '.join(map(str, args))} should have refused, "
                 f"status {r.returncode}: {r.stderr}")
    return r.stderr


def write_safetensors(path, arrays, metadata=None, order=None):
    """Writes arrays (name -> numpy array) by the specification, packing
    them in `order` (default: sorted by name) and padding the header with
    spaces to a multiple of 8, as the reference writer does."""
    order = order or sorted(arrays)
    header, offset, data = {}, 0, b""
    for name in order:
        a = np.ascontiguousarray(arrays[name])
        raw = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": NAMES[a.dtype.newbyteorder("<")], "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        data += raw
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def read_safetensors(path):
    """Reads a safetensors file, checking it against the specification:
    the header length within the file, a JSON object, known dtypes, byte
    ranges that match shapes and tile the data section exactly."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    assert 8 + n <= len(raw), "header length beyond the file"
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    assert isinstance(header, dict)
    data = raw[8 + n:]
    header.pop("__metadata__", None)
    out, ranges = {}, []
    for name, info in header.items():
        assert set(info) == {"dtype", "shape", "data_offsets"}, info
        dtype = DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        count = int(np.prod(info["shape"], dtype=np.int64))
        assert end - begin == count * dtype.itemsize, (name, info)
        ranges.append((begin, end))
        out[name] = np.frombuffer(data[begin:end], dtype=dtype).reshape(info["shape"])
    covered = 0
    for begin, end in sorted(ranges):
        assert begin == covered, "a gap or an overlap in the data section"
        covered = end
    assert covered == len(data), "bytes after the last tensor"
    return out, n


def same(a, b):
    """Bit-exact: dtype, shape and bytes (NaN payloads and -0 included)."""
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
