"""Trainyard sample training script (SageMaker script mode).

Trains a logistic-regression classifier on the CSV files of the `train` channel with mini-batch
gradient descent, checkpointing every epoch to /opt/ml/checkpoints so a spot interruption resumes
where it stopped. Uses PyTorch on the GPU when the Deep Learning Container provides it, and plain
Python otherwise. Writes the model to SM_MODEL_DIR/model.json and logs `train_loss=` and
`train_accuracy=` for the pipeline's metric definitions.

When the job may reach MLflow (Trainyard sets MLFLOW_TRACKING_URI and MLFLOW_EXPERIMENT_NAME on
jobs of environments without network isolation) and the image has the `mlflow` and
`sagemaker-mlflow` packages, it also logs the parameters and each epoch's metrics to a run named
after the training job. Tracking never fails the training: without MLflow the job trains as before.
"""
import argparse
import csv
import glob
import json
import math
import os
import random
import sys

# The job's CheckpointConfig.LocalPath, /opt/ml/checkpoints: found next to SM_MODEL_DIR (/opt/ml/model),
# so it follows the container root when `trainyard run --local` relocates /opt/ml.
CHECKPOINT_DIR = os.path.join(os.path.dirname(os.environ.get("SM_MODEL_DIR", "/opt/ml/model").rstrip("/")), "checkpoints")


RUN_TAG_VARIABLES = {
    "trainyard:git-sha": "TRAINYARD_GIT_SHA",
    "trainyard:dataset-version": "TRAINYARD_DATASET_VERSION",
    "trainyard:config-hash": "TRAINYARD_CONFIG_HASH",
}


class ExperimentLog:
    """An MLflow run for this job, or nothing when MLflow is not configured or not installed."""

    def __init__(self, params):
        self.mlflow = None
        if not os.environ.get("MLFLOW_TRACKING_URI"):
            return
        try:
            import mlflow  # the URI and experiment come from MLFLOW_TRACKING_URI and MLFLOW_EXPERIMENT_NAME
            mlflow.start_run(run_name=os.environ.get("TRAINING_JOB_NAME"))
            mlflow.log_params(params)
            # The pipeline's run tags (git sha, dataset version, config hash), as the job itself is tagged.
            mlflow.set_tags({tag: os.environ[variable] for tag, variable in RUN_TAG_VARIABLES.items() if os.environ.get(variable)})
            self.mlflow = mlflow
            print("logging to MLflow experiment %s" % os.environ.get("MLFLOW_EXPERIMENT_NAME", "Default"))
        except Exception as error:  # tracking must never cost a training run
            print("MLflow logging off: %s" % error)

    def metrics(self, step, values):
        if self.mlflow is not None:
            try:
                self.mlflow.log_metrics(values, step=step)
            except Exception as error:
                print("MLflow logging off: %s" % error)
                self.mlflow = None

    def close(self):
        if self.mlflow is not None:
            try:
                self.mlflow.end_run()
            except Exception as error:
                print("MLflow run not closed: %s" % error)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--label-column", default="label")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--train", default=os.environ.get("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train"))
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR", "/opt/ml/model"))
    parser.add_argument("--checkpoint-dir", default=CHECKPOINT_DIR)
    return parser.parse_args(argv)


def load(directory, label_column):
    features, labels, names = [], [], None
    for path in sorted(glob.glob(os.path.join(directory, "**", "*.csv"), recursive=True)):
        with open(path, newline="") as handle:
            reader = csv.DictReader(handle)
            if names is None:
                names = [n for n in reader.fieldnames if n != label_column]
            for row in reader:
                features.append([float(row[n] or 0.0) for n in names])
                labels.append(1.0 if float(row[label_column]) > 0.5 else 0.0)
    if not features:
        raise SystemExit("no training rows found under %s" % directory)
    return names, features, labels


def standardize(features):
    columns = list(zip(*features))
    means = [sum(c) / len(c) for c in columns]
    stds = [math.sqrt(sum((v - m) ** 2 for v in c) / len(c)) or 1.0 for c, m in zip(columns, means)]
    scaled = [[(v - m) / s for v, m, s in zip(row, means, stds)] for row in features]
    return scaled, means, stds


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


def load_checkpoint(directory):
    path = os.path.join(directory, "checkpoint.json")
    if os.path.exists(path):
        with open(path) as handle:
            return json.load(handle)
    return None


def save_checkpoint(directory, state):
    os.makedirs(directory, exist_ok=True)
    tmp = os.path.join(directory, "checkpoint.json.tmp")
    with open(tmp, "w") as handle:
        json.dump(state, handle)
    os.replace(tmp, os.path.join(directory, "checkpoint.json"))


def epoch_python(weights, bias, rows, labels, learning_rate, rng):
    order = list(range(len(rows)))
    rng.shuffle(order)
    for i in order:
        error = sigmoid(sum(w * x for w, x in zip(weights, rows[i])) + bias) - labels[i]
        weights = [w - learning_rate * error * x for w, x in zip(weights, rows[i])]
        bias -= learning_rate * error
    return weights, bias


def evaluate(weights, bias, rows, labels):
    loss, correct = 0.0, 0
    for row, label in zip(rows, labels):
        p = min(max(sigmoid(sum(w * x for w, x in zip(weights, row)) + bias), 1e-7), 1 - 1e-7)
        loss -= label * math.log(p) + (1 - label) * math.log(1 - p)
        correct += int((p >= 0.5) == (label == 1.0))
    return loss / len(rows), correct / len(rows)


def main(argv=None):
    args = parse_args(argv)
    names, features, labels = load(args.train, args.label_column)
    rows, means, stds = standardize(features)
    rng = random.Random(args.seed)
    state = load_checkpoint(args.checkpoint_dir) or {"epoch": 0, "weights": [0.0] * len(names), "bias": 0.0}
    if state["epoch"]:
        print("resuming from checkpoint at epoch %d" % state["epoch"])
    try:
        import torch  # provided by the PyTorch Deep Learning Container
        device = "cuda" if torch.cuda.is_available() else "cpu"
    except ImportError:
        torch, device = None, "cpu"
    print("training on %d rows, %d features, device %s" % (len(rows), len(names), device))
    experiment = ExperimentLog({"epochs": args.epochs, "learning_rate": args.learning_rate, "seed": args.seed,
                                "label_column": args.label_column, "rows": len(rows), "features": len(names)})
    for epoch in range(state["epoch"], args.epochs):
        if torch is not None:
            x = torch.tensor(rows, device=device)
            y = torch.tensor(labels, device=device)
            w = torch.tensor(state["weights"], device=device, requires_grad=True)
            b = torch.tensor(state["bias"], device=device, requires_grad=True)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(x @ w + b, y)
            loss.backward()
            with torch.no_grad():
                state["weights"] = (w - args.learning_rate * w.grad).tolist()
                state["bias"] = float(b - args.learning_rate * b.grad)
        else:
            state["weights"], state["bias"] = epoch_python(state["weights"], state["bias"], rows, labels, args.learning_rate, rng)
        state["epoch"] = epoch + 1
        loss, accuracy = evaluate(state["weights"], state["bias"], rows, labels)
        print("epoch=%d train_loss=%.6f train_accuracy=%.6f" % (epoch + 1, loss, accuracy))
        experiment.metrics(epoch + 1, {"train_loss": loss, "train_accuracy": accuracy})
        save_checkpoint(args.checkpoint_dir, state)
    os.makedirs(args.model_dir, exist_ok=True)
    with open(os.path.join(args.model_dir, "model.json"), "w") as handle:
        json.dump({"features": names, "label": args.label_column, "means": means, "stds": stds,
                   "weights": state["weights"], "bias": state["bias"]}, handle)
    experiment.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
