"""The Hugging Face side of the benchmarks in bench/run_bench.py; prints one JSON object.

    python bench/reference.py tokenizer AG_NEWS_FOLDER MODEL [BBC_FOLDER]
    python bench/reference.py inference AG_NEWS_FOLDER MODEL [BATCH] [MAX_LENGTH] [THREADS]

The texts are read as Hugging Face's ag_news builds them (title + " " + description) and, for
BBC News, as Lectern reads the folder (UTF-8, else Windows-1252).
"""
import csv
import json
import os
import pathlib
import resource
import sys
import time


def ag_news_test(folder):
    with open(pathlib.Path(folder) / "test.csv", encoding="utf-8", newline="") as handle:
        return [title + " " + description for _, title, description in csv.reader(handle)]


def bbc(folder):
    texts = []
    for label in sorted(p for p in pathlib.Path(folder).iterdir() if p.is_dir() and not p.name.startswith(("_", "."))):
        for file in sorted(label.glob("*.txt")):
            raw = file.read_bytes()
            try:
                texts.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                texts.append(raw.decode("cp1252"))
    return texts


def tokenizer_benchmark(ag_news, model, bbc_folder=None):
    from tokenizers import Tokenizer
    tokenizer = Tokenizer.from_file(str(pathlib.Path(model) / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    texts = ag_news_test(ag_news) + (bbc(bbc_folder) if bbc_folder else [])
    start = time.perf_counter()
    encodings = tokenizer.encode_batch(texts)
    elapsed = time.perf_counter() - start
    tokens = sum(len(e.ids) for e in encodings)
    return {"texts": len(texts), "tokens": tokens, "seconds": elapsed, "texts_per_second": len(texts) / elapsed,
            "threads": os.environ.get("RAYON_NUM_THREADS", "all")}


def inference_benchmark(ag_news, model, batch=32, max_length=128, threads=2, bf16=False):
    import torch
    from transformers import AutoTokenizer, BertForSequenceClassification
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(model)
    classifier = BertForSequenceClassification.from_pretrained(model, num_labels=4).eval()
    texts = ag_news_test(ag_news)

    def run(chunk):
        encoded = tokenizer(chunk, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            return classifier(**encoded).logits.argmax(-1).tolist()

    run(texts[:batch])
    start = time.perf_counter()
    predicted = []
    for index in range(0, len(texts), batch):
        predicted += run(texts[index:index + batch])
    elapsed = time.perf_counter() - start
    return {"texts": len(texts), "seconds": elapsed, "texts_per_second": len(texts) / elapsed,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "label_counts": [predicted.count(label) for label in range(4)], "torch": torch.__version__}


def main():
    kind, ag_news, model = sys.argv[1:4]
    rest = [argument for argument in sys.argv[4:] if argument != "--bf16"]
    if kind == "tokenizer":
        result = tokenizer_benchmark(ag_news, model, *rest)
    else:
        result = inference_benchmark(ag_news, model, *[int(x) for x in rest], bf16="--bf16" in sys.argv)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
