"""Reads a safetensors file the way huggingface's reader does, using only
json and struct (Debian has no python3-safetensors), and builds PyTorch
tensors from it when torch is installed. Prints, as JSON, each tensor's
shape, the float64 sum of its values and its first three values, plus the
metadata, for the Go test to compare against the model.

Usage: check_safetensors.py FILE
"""
import json
import struct
import sys


def main(path):
    with open(path, "rb") as f:
        buf = f.read()
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8:8 + n].decode("utf-8"))
    data = buf[8 + n:]
    meta = header.pop("__metadata__", {})
    try:
        import torch
    except ImportError:
        torch = None
    out = {"__metadata__": meta, "__torch__": torch is not None}
    end = 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        assert info["dtype"] == "F32", (name, info["dtype"])
        b, e = info["data_offsets"]
        assert b == end, (name, "gap or overlap")
        end = e
        count = 1
        for d in info["shape"]:
            count *= d
        assert e - b == 4 * count, (name, "size")
        raw = data[b:e]
        if torch is not None:
            t = torch.frombuffer(bytearray(raw), dtype=torch.float32).reshape(info["shape"])
            total = float(t.double().sum())
            first = t.flatten()[:3].tolist()
            shape = list(t.shape)
        else:
            vals = struct.unpack("<%df" % count, raw)
            total = float(sum(vals))
            first = list(vals[:3])
            shape = info["shape"]
        out[name] = {"shape": shape, "sum": total, "first": first}
    assert end == len(data), "trailing bytes"
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
