"""Trainyard data validation: runs before any GPU starts.

Checks every CSV file of the input: a header, a consistent column count, the label column, numeric
features, and a minimum number of rows; writes basic statistics and the verdict to
<output>/validation.json; exits non-zero when the data is unusable, which fails the pipeline step.
Standard library only.
"""
import argparse
import csv
import glob
import json
import math
import os
import sys


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--input-dir", default="/opt/ml/processing/input/data")
    parser.add_argument("--output-dir", default="/opt/ml/processing/output/report")
    parser.add_argument("--label-column", default="label")
    parser.add_argument("--min-rows", type=int, default=10)
    parser.add_argument("--max-null-fraction", type=float, default=0.05)
    return parser.parse_args(argv)


def column_stats(values):
    numbers = [v for v in values if v is not None]
    if not numbers:
        return {"count": 0, "nulls": len(values)}
    mean = sum(numbers) / len(numbers)
    variance = sum((v - mean) ** 2 for v in numbers) / len(numbers)
    return {
        "count": len(numbers),
        "nulls": len(values) - len(numbers),
        "min": min(numbers),
        "max": max(numbers),
        "mean": mean,
        "std": math.sqrt(variance),
    }


def to_number(text):
    text = text.strip()
    if text == "" or text.lower() in ("na", "nan", "null"):
        return None
    return float(text)


def validate(input_dir, label_column, min_rows, max_null_fraction):
    errors = []
    files = sorted(glob.glob(os.path.join(input_dir, "**", "*.csv"), recursive=True))
    if not files:
        return {"valid": False, "errors": ["no CSV files under %s" % input_dir], "files": []}
    header = None
    columns = {}
    rows = 0
    for path in files:
        with open(path, newline="") as handle:
            reader = csv.reader(handle)
            file_header = next(reader, None)
            if file_header is None:
                errors.append("%s is empty" % path)
                continue
            if header is None:
                header = file_header
                columns = {name: [] for name in header}
                if label_column not in header:
                    errors.append("label column '%s' is missing (columns: %s)" % (label_column, ", ".join(header)))
            elif file_header != header:
                errors.append("%s has columns %s, expected %s" % (path, file_header, header))
                continue
            for line_number, row in enumerate(reader, start=2):
                if len(row) != len(header):
                    errors.append("%s:%d has %d fields, expected %d" % (path, line_number, len(row), len(header)))
                    continue
                rows += 1
                for name, text in zip(header, row):
                    try:
                        columns[name].append(to_number(text))
                    except ValueError:
                        errors.append("%s:%d column '%s' is not numeric: %r" % (path, line_number, name, text))
                        columns[name].append(None)
                if len(errors) > 50:
                    errors.append("too many errors, stopped")
                    break
    if rows < min_rows:
        errors.append("only %d rows, at least %d needed" % (rows, min_rows))
    stats = {name: column_stats(values) for name, values in columns.items()}
    for name, s in stats.items():
        if rows and s["nulls"] / rows > max_null_fraction:
            errors.append("column '%s' is %.1f%% empty (limit %.1f%%)" % (name, 100.0 * s["nulls"] / rows, 100.0 * max_null_fraction))
    return {"valid": not errors, "errors": errors, "files": files, "rows": rows, "columns": header or [], "statistics": stats}


def main(argv=None):
    args = parse_args(argv)
    report = validate(args.input_dir, args.label_column, args.min_rows, args.max_null_fraction)
    os.makedirs(args.output_dir, exist_ok=True)
    with open(os.path.join(args.output_dir, "validation.json"), "w") as handle:
        json.dump(report, handle, indent=2, sort_keys=True)
    print(json.dumps({"valid": report["valid"], "rows": report.get("rows", 0), "errors": report["errors"][:10]}))
    return 0 if report["valid"] else 1


if __name__ == "__main__":
    sys.exit(main())
