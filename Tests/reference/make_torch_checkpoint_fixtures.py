"""Writes Tests/LecternEngineTests/Fixtures/torch-checkpoints/: pytorch_model.bin files as
transformers saved them before safetensors, and hostile pickles that must run nothing.

Run from the repository root with the reference environment (see docs/testing.md):
    ~/.cache/lectern-ref/bin/python Tests/reference/make_torch_checkpoint_fixtures.py

transformers 5 writes safetensors even when asked not to, so the state dicts are saved with
torch.save as transformers < 4.35 called it, from the tiny classifier the predict tests use:
- tiny-f32.bin: `save_pretrained(safe_serialization=False)` of 4.20–4.34, a plain dict (its shard),
  the int64 `position_ids` buffer included as it was until 4.31;
- tiny-f16.bin: transformers <= 4.17 after `model.half()`: `torch.save(model.state_dict())`, an
  OrderedDict with its `_metadata` attribute; expected.json holds the logits of those float16
  weights computed in float32, for the texts of tiny-bert-predictions.json;
- views.bin: tensors that view one storage (a transpose, a row, a column, an offset slice);
- legacy.bin: the pre-1.6 format (_use_new_zipfile_serialization=False).
Hostile pickles, zipped as torch.save zips them, each of which ordinary `pickle.loads` would run
(checked here, in a child process) and `torch.load(weights_only=True)` refuses (checked here):
- os-system.bin: a state dict whose value calls os.system (pickled as posix.system);
- builtins-eval.bin: eval through STACK_GLOBAL (pickle protocol 4);
- nested-reduce.bin: a valid state dict whose tensor's backward hooks call subprocess.call;
- huge-size.bin: a tensor of 2^40 x 2^40 values on a 4-value storage;
- huge-storage.bin: a storage that claims 2^61 values.
"""
import io
import json
import os
import pathlib
import pickle
import subprocess
import sys
import zipfile

import torch
from transformers import AutoTokenizer, BertForSequenceClassification

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "LecternEngineTests" / "Fixtures"
OUT = FIXTURES / "torch-checkpoints"
MARKER = "/tmp/lectern-pickle-side-effect"


def save_state_dict():
    model = BertForSequenceClassification.from_pretrained(FIXTURES / "tiny-bert-classifier").eval()
    state = model.state_dict()
    shard = {}
    for name, tensor in state.items():
        shard[name] = tensor
        if name == "bert.embeddings.word_embeddings.weight":
            shard["bert.embeddings.position_ids"] = torch.arange(model.config.max_position_embeddings).expand((1, -1))
    torch.save(shard, OUT / "tiny-f32.bin")

    half = model.half()
    torch.save(half.state_dict(), OUT / "tiny-f16.bin")
    texts = json.loads((FIXTURES / "tiny-bert-predictions.json").read_text())["texts"]
    tokenizer = AutoTokenizer.from_pretrained(FIXTURES / "tiny-bert-classifier")
    encoded = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        logits = half.float()(**encoded).logits
    (OUT / "expected.json").write_text(json.dumps({"texts": texts, "f16_logits": logits.tolist()}, indent=1) + "\n")


def save_views():
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    torch.save({"matrix": base, "transposed": base.t(), "row": base[2], "column": base[:, 3], "tail": base.view(-1)[5:17]},
               OUT / "views.bin")
    torch.save({"weight": torch.ones(2, 2)}, OUT / "legacy.bin", _use_new_zipfile_serialization=False)


class Storage:
    """Pickled as torch.save pickles a storage: by persistent id."""

    def __init__(self, key, storage_type, count):
        self.id = ("storage", storage_type, key, "cpu", count)


class Call:
    """Pickled as a call of `function` with `arguments` (REDUCE)."""

    def __init__(self, function, *arguments):
        self.function, self.arguments = function, arguments

    def __reduce__(self):
        return self.function, self.arguments


class TorchPickler(pickle.Pickler):
    def persistent_id(self, obj):
        return obj.id if isinstance(obj, Storage) else None


def hostile_zip(name, obj, storages, protocol=2):
    buffer = io.BytesIO()
    TorchPickler(buffer, protocol=protocol).dump(obj)
    path = OUT / name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("archive/data.pkl", buffer.getvalue())
        archive.writestr("archive/byteorder", "little")
        for key, data in storages.items():
            archive.writestr(f"archive/data/{key}", data)
        archive.writestr("archive/version", "3\n")
    return path, buffer.getvalue()


def tensor(storage, offset, size, stride, hooks=None):
    from collections import OrderedDict
    return Call(torch._utils._rebuild_tensor_v2, storage, offset, size, stride, False, hooks if hooks is not None else OrderedDict())


def save_hostile():
    four = bytes(16)
    command = f"touch {MARKER}"
    payloads = {
        "os-system.bin": ({"weight": Call(os.system, command)}, {}, 2),
        "builtins-eval.bin": ({"weight": Call(eval, f"__import__('os').system('{command}')")}, {}, 4),
        "nested-reduce.bin": ({"weight": tensor(Storage("0", torch.FloatStorage, 4), 0, (4,), (1,),
                                                 hooks=Call(subprocess.call, ["touch", MARKER]))}, {"0": four}, 2),
        "huge-size.bin": ({"weight": tensor(Storage("0", torch.FloatStorage, 4), 0, (2**40, 2**40), (2**40, 1))}, {"0": four}, 2),
        "huge-storage.bin": ({"weight": tensor(Storage("0", torch.FloatStorage, 2**61), 0, (4,), (1,))}, {"0": four}, 2),
    }
    for name, (obj, storages, protocol) in payloads.items():
        path, data = hostile_zip(name, obj, storages, protocol)
        try:
            torch.load(path, weights_only=True)
            raise SystemExit(f"{name}: torch.load(weights_only=True) accepted it")
        except pickle.UnpicklingError as error:
            print(f"{name}: torch refuses it ({str(error).splitlines()[0][:90]})")
        except RuntimeError as error:
            print(f"{name}: torch refuses it ({str(error).splitlines()[0][:90]})")
        if name in ("os-system.bin", "builtins-eval.bin", "nested-reduce.bin"):
            # The payload is live: plain pickle runs it (in a child, whose only effect is the marker).
            if os.path.exists(MARKER):
                os.remove(MARKER)
            subprocess.run([sys.executable, "-c",
                            "import pickle, sys\n"
                            "class U(pickle.Unpickler):\n"
                            "    def persistent_load(self, pid): return None\n"
                            "try: U(sys.stdin.buffer).load()\n"
                            "except Exception: pass\n"], input=data, check=True)
            assert os.path.exists(MARKER), f"{name}: the payload did not run under plain pickle"
            os.remove(MARKER)
            print(f"{name}: plain pickle runs its payload (marker written, removed)")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    save_state_dict()
    save_views()
    save_hostile()
    for path in sorted(OUT.iterdir()):
        print(f"{path.name}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
