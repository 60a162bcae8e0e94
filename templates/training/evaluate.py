"""Trainyard sample evaluation: scores the trained model on the evaluation data.

Reads model.tar.gz (the training job's output), computes accuracy, precision, recall and log loss,
and writes <output>/evaluation.json in the shape the pipeline's quality gate reads
(`metrics.<name>.value`) and the model registry shows. Standard library only.
"""
import argparse
import csv
import glob
import json
import math
import os
import sys
import tarfile


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model-dir", default="/opt/ml/processing/input/model")
    parser.add_argument("--data-dir", default="/opt/ml/processing/input/data")
    parser.add_argument("--output-dir", default="/opt/ml/processing/output/evaluation")
    return parser.parse_args(argv)


def load_model(model_dir):
    archive = os.path.join(model_dir, "model.tar.gz")
    if os.path.exists(archive):
        with tarfile.open(archive) as tar:
            member = tar.getmember("model.json")
            return json.load(tar.extractfile(member))
    with open(os.path.join(model_dir, "model.json")) as handle:
        return json.load(handle)


def predict(model, row):
    z = model["bias"]
    for name, weight, mean, std in zip(model["features"], model["weights"], model["means"], model["stds"]):
        z += weight * ((float(row[name] or 0.0) - mean) / std)
    return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


def main(argv=None):
    args = parse_args(argv)
    model = load_model(args.model_dir)
    tp = fp = tn = fn = 0
    log_loss = 0.0
    for path in sorted(glob.glob(os.path.join(args.data_dir, "**", "*.csv"), recursive=True)):
        with open(path, newline="") as handle:
            for row in csv.DictReader(handle):
                label = float(row[model["label"]]) > 0.5
                p = min(max(predict(model, row), 1e-7), 1 - 1e-7)
                log_loss -= math.log(p) if label else math.log(1 - p)
                if p >= 0.5:
                    tp, fp = tp + label, fp + (not label)
                else:
                    fn, tn = fn + label, tn + (not label)
    total = tp + fp + tn + fn
    if total == 0:
        raise SystemExit("no evaluation rows found under %s" % args.data_dir)
    metrics = {
        "accuracy": {"value": (tp + tn) / total},
        "precision": {"value": tp / (tp + fp) if tp + fp else 0.0},
        "recall": {"value": tp / (tp + fn) if tp + fn else 0.0},
        "log_loss": {"value": log_loss / total},
    }
    os.makedirs(args.output_dir, exist_ok=True)
    with open(os.path.join(args.output_dir, "evaluation.json"), "w") as handle:
        json.dump({"metrics": metrics, "rows": total}, handle, indent=2, sort_keys=True)
    print(json.dumps(metrics))
    return 0


if __name__ == "__main__":
    sys.exit(main())
