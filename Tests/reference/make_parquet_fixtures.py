"""Parquet files as pyarrow and datasets write them, with what pyarrow reads back, for LecternColumnarTests.

Every codec Lectern reads (none, Snappy, GZIP, ZSTD, LZ4_RAW), data pages v1 and v2, dictionary and
plain pages, each encoding (PLAIN, RLE_DICTIONARY, RLE for booleans, DELTA_BINARY_PACKED,
DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT), nulls, lists with null and empty
entries, several row groups and pages; and a file written by `datasets` with ClassLabel names.
Run in the reference environment (make reference-env): python Tests/reference/make_parquet_fixtures.py
"""
import json
import math
import pathlib

import pyarrow as pa
import pyarrow.parquet as pq

OUT = pathlib.Path(__file__).resolve().parents[1] / "LecternColumnarTests" / "Fixtures" / "parquet"
OUT.mkdir(parents=True, exist_ok=True)
ROWS = 300


def table():
    """Columns of every type a dataset has, with nulls in each, and rows long enough for several pages."""
    words = ["alpha", "beta", "gamma", "delta", "épsilon", "zeta 🦓", "", "eta"]
    text = [None if i % 17 == 5 else f"{words[i % len(words)]} article {i} " + "x" * (i % 23) for i in range(ROWS)]
    label = [i % 4 for i in range(ROWS)]
    big = [None if i % 13 == 0 else (i * 7_919_993) - 1_000_000_000_000 * (i % 3) for i in range(ROWS)]
    score = [None if i % 11 == 0 else math.sin(i) * 1000.0 for i in range(ROWS)]
    small = [float(i % 7) / 4.0 for i in range(ROWS)]
    flag = [None if i % 19 == 0 else (i % 3 == 0) for i in range(ROWS)]
    tags = [None if i % 10 == 0 else [] if i % 10 == 1 else [t for t in range(i % 5)] for i in range(ROWS)]
    names = [None if i % 9 == 0 else [] if i % 9 == 1 else
             [None if (i + j) % 7 == 0 else words[(i + j) % len(words)] for j in range(i % 4)] for i in range(ROWS)]
    return pa.table({
        "text": pa.array(text, pa.string()),
        "label": pa.array(label, pa.int64()),
        "label32": pa.array(label, pa.int32()),
        "big": pa.array(big, pa.int64()),
        "score": pa.array(score, pa.float64()),
        "small": pa.array(small, pa.float32()),
        "flag": pa.array(flag, pa.bool_()),
        "tags": pa.array(tags, pa.list_(pa.int64())),
        "names": pa.array(names, pa.list_(pa.string())),
    })


def write(name, data, **options):
    pq.write_table(data, OUT / f"{name}.parquet", row_group_size=options.pop("row_group_size", 128),
                   data_page_size=options.pop("data_page_size", 512), write_statistics=False, **options)
    return name


def main():
    data = table()
    files = []
    for codec in ["none", "snappy", "gzip", "zstd", "lz4"]:
        for version in ["1.0", "2.0"]:
            files.append(write(f"{codec}-v{version[0]}", data, compression=codec, data_page_version=version))
    files.append(write("plain-v1", data, use_dictionary=False, compression="snappy"))
    files.append(write("plain-v2", data, use_dictionary=False, compression="zstd", data_page_version="2.0"))
    delta = {"text": "DELTA_LENGTH_BYTE_ARRAY", "label": "DELTA_BINARY_PACKED", "label32": "DELTA_BINARY_PACKED",
             "big": "DELTA_BINARY_PACKED", "score": "BYTE_STREAM_SPLIT", "small": "BYTE_STREAM_SPLIT",
             "flag": "RLE", "tags.list.element": "DELTA_BINARY_PACKED", "names.list.element": "DELTA_BYTE_ARRAY"}
    for version in ["1.0", "2.0"]:
        files.append(write(f"delta-v{version[0]}", data, use_dictionary=False, column_encoding=delta,
                           compression="zstd", data_page_version=version))
    files.append(write("prefix-strings", data, use_dictionary=False, compression="none",
                       column_encoding={"text": "DELTA_BYTE_ARRAY", "names.list.element": "DELTA_LENGTH_BYTE_ARRAY"}))
    files.append(write("one-group", data, row_group_size=ROWS, data_page_size=1 << 20, compression="snappy"))
    columns = data.to_pydict()
    # Floats as their shortest repr in strings: some JSON parsers round the last digit of a number.
    for name in ["score", "small"]:
        columns[name] = [None if value is None else repr(value) for value in columns[name]]
    expected = {"rows": ROWS, "files": files, "columns": columns}
    (OUT / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=0) + "\n")

    # As `datasets` writes a dataset with class names: its schema metadata carries the features.
    import datasets
    features = datasets.Features({"text": datasets.Value("string"),
                                  "label": datasets.ClassLabel(names=["World", "Sports", "Business", "Sci/Tech"]),
                                  "topics": datasets.Sequence(datasets.ClassLabel(names=["a", "b", "c"]))})
    ds = datasets.Dataset.from_dict({"text": [f"news {i}" for i in range(40)], "label": [i % 4 for i in range(40)],
                                     "topics": [[j for j in range(i % 3)] for i in range(40)]}, features=features)
    ds.to_parquet(str(OUT / "datasets-classlabel.parquet"))
    loaded = datasets.load_dataset("parquet", data_files=str(OUT / "datasets-classlabel.parquet"), split="train")
    (OUT / "datasets-classlabel.json").write_text(json.dumps({
        "features": {name: str(feature) for name, feature in loaded.features.items()},
        "label_names": loaded.features["label"].names, "rows": loaded.to_dict()}, indent=0) + "\n")
    # Seeds for the `parquet` fuzz target: small (libFuzzer's inputs are at most 4 KB), one per codec and encoding family.
    seeds = OUT.parents[3] / "fuzz" / "corpus" / "parquet"
    seeds.mkdir(parents=True, exist_ok=True)
    small = data.slice(0, 10)
    for name, options in {"snappy-dictionary": {"compression": "snappy"},
                          "zstd-v2": {"compression": "zstd", "data_page_version": "2.0"},
                          "gzip-plain": {"compression": "gzip", "use_dictionary": False},
                          "lz4-delta": {"compression": "lz4", "use_dictionary": False, "column_encoding": delta},
                          "none-v2-delta": {"compression": "none", "use_dictionary": False, "column_encoding": delta,
                                            "data_page_version": "2.0"}}.items():
        pq.write_table(small, seeds / f"{name}.parquet", row_group_size=6, data_page_size=64, write_statistics=False, **options)
    print(f"wrote {len(files) + 1} files to {OUT} and 5 seeds to {seeds}")




def dataset_folder():
    """A folder laid out as the Hub's Parquet export (data/SPLIT-0000N-of-0000M.parquet), written by `datasets`,
    with what `load_dataset(folder)` and split expressions give, for LecternDataTests."""
    import datasets
    out = pathlib.Path(__file__).resolve().parents[1] / "LecternDataTests" / "Fixtures" / "parquet-folder"
    (out / "data").mkdir(parents=True, exist_ok=True)
    names = ["World", "Sports", "Business", "Sci/Tech"]
    features = datasets.Features({"text": datasets.Value("string"), "label": datasets.ClassLabel(names=names)})
    train = datasets.Dataset.from_dict({"text": [f"train article {i}: " + "words " * (i % 5) for i in range(30)],
                                        "label": [(i * 7) % 4 for i in range(30)]}, features=features)
    test = datasets.Dataset.from_dict({"text": [f"test article {i}" for i in range(12)], "label": [i % 4 for i in range(12)]},
                                      features=features)
    for shard in range(2):
        train.shard(num_shards=2, index=shard, contiguous=True).to_parquet(str(out / "data" / f"train-{shard:05d}-of-00002.parquet"))
    test.to_parquet(str(out / "data" / "test-00000-of-00001.parquet"))
    expected = {"label_names": names, "splits": {}}
    for expression in ["train", "test", "train[:7]", "train[20:]+test[-3:]", "train[10%:50%]"]:
        rows = datasets.load_dataset(str(out), split=expression)
        expected["splits"][expression] = {"text": list(rows["text"]), "label": list(rows["label"])}
    (out / "expected.json").write_text(json.dumps(expected, indent=0) + "\n")




def arrow_fixtures():
    """Arrow IPC as pyarrow writes it (stream and file formats, large types, nulls, lists, ZSTD buffers) and a
    `save_to_disk` DatasetDict (two splits, the train split in two shards), with what pyarrow and
    `load_from_disk` give, for LecternColumnarTests and LecternDataTests."""
    import datasets
    import pyarrow.ipc as ipc
    out = OUT.parent / "arrow"
    out.mkdir(parents=True, exist_ok=True)
    data = table()
    large = data.cast(pa.schema([pa.field("text", pa.large_string())] + [data.schema.field(i) for i in range(1, 7)]
                                + [pa.field("tags", pa.large_list(pa.int64())), data.schema.field(8)]))
    with ipc.new_stream(out / "stream.arrow", data.schema) as writer:
        for batch in data.to_batches(max_chunksize=70):
            writer.write_batch(batch)
    with ipc.new_file(out / "file-large.arrow", large.schema) as writer:
        writer.write_table(large, max_chunksize=128)
    with ipc.new_stream(out / "zstd.arrow", data.schema, options=ipc.IpcWriteOptions(compression="zstd")) as writer:
        writer.write_table(data, max_chunksize=100)

    # Seeds for the `arrow` fuzz target (at most 4 KB each).
    seeds = OUT.parents[3] / "fuzz" / "corpus" / "arrow"
    seeds.mkdir(parents=True, exist_ok=True)
    small = data.slice(0, 8)
    with ipc.new_stream(seeds / "stream.arrow", small.schema) as writer:
        writer.write_table(small, max_chunksize=4)
    with ipc.new_file(seeds / "file-large.arrow", large.schema) as writer:
        writer.write_table(large.slice(0, 6))
    with ipc.new_stream(seeds / "zstd.arrow", small.schema, options=ipc.IpcWriteOptions(compression="zstd")) as writer:
        writer.write_table(small)

    saved = OUT.parents[2] / "LecternDataTests" / "Fixtures" / "saved"
    names = ["World", "Sports", "Business", "Sci/Tech"]
    features = datasets.Features({"text": datasets.Value("string"), "label": datasets.ClassLabel(names=names)})
    dd = datasets.DatasetDict({
        "train": datasets.Dataset.from_dict({"text": [f"saved train {i}" for i in range(25)], "label": [(i * 3) % 4 for i in range(25)]},
                                            features=features),
        "test": datasets.Dataset.from_dict({"text": [f"saved test {i}" for i in range(8)], "label": [i % 4 for i in range(8)]},
                                           features=features)})
    dd.save_to_disk(str(saved), num_shards={"train": 2, "test": 1})
    loaded = datasets.load_from_disk(str(saved))
    (saved.parent / "saved-expected.json").write_text(json.dumps({
        "label_names": names,
        "splits": {split: {"text": list(loaded[split]["text"]), "label": list(loaded[split]["label"])} for split in loaded}}, indent=0) + "\n")


if __name__ == "__main__":
    main()
    dataset_folder()
    arrow_fixtures()
