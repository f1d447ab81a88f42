#!/usr/bin/env python3
"""The reverse direction of the golden fixtures: adapters written by Capsule, loaded by Python PEFT.

    python3 tests/golden/check_capsule_adapters.py CASES.json REPORT.json

CASES.json is a list of objects written by tests/golden/run_device_checks.sh:
    {"name": ..., "base": MODEL_DIR, "adapter": ADAPTER_DIR (written by capsule-cli train),
     "capsule_logits": LOGITS.safetensors (capsule-cli forward --adapter on INPUT ids),
     "inputs": IDS.json, "merged": MERGED_DIR (optional, capsule-cli export --merged)}

For each case it checks, with the real libraries and no change to Capsule's files:
  1. the safetensors keys and shapes are exactly those PEFT itself would save for that adapter_config.json;
  2. PeftModel.from_pretrained loads the folder without a missing/unexpected-key warning;
  3. PEFT's logits equal Capsule's (float32, CPU here against Capsule on CUDA);
  4. a merged export loads with AutoModelForCausalLM and gives the same logits.
Without peft installed (Debian sid's python3-transformers, tests/golden/debian_sid_checks.sh) only 4 runs:
cases without a merged export are reported as skipped, not as passed.
Exit status: the number of failed cases.
"""
import json
import sys
import traceback
import warnings

import torch
import transformers
from safetensors import safe_open
from transformers import AutoModelForCausalLM, AutoTokenizer

try:
    from peft import PeftConfig, PeftModel, get_peft_model, get_peft_model_state_dict
    HAVE_PEFT = True
except ImportError:
    HAVE_PEFT = False

V5 = int(transformers.__version__.split(".")[0]) >= 5
TOLERANCE = 2e-4  # relative to max(1, max |logit|)


def load_base(folder):
    kwargs = {"dtype": torch.float32} if V5 else {"torch_dtype": torch.float32}
    return AutoModelForCausalLM.from_pretrained(folder, attn_implementation="eager", **kwargs).eval()


def saved_shapes(adapter):
    with safe_open(f"{adapter}/adapter_model.safetensors", framework="pt") as handle:
        return {key: list(handle.get_slice(key).get_shape()) for key in handle.keys()}


def expected_shapes(base, adapter):
    """What PEFT writes for this config: its own state dict with the saved key names."""
    config = PeftConfig.from_pretrained(adapter)
    model = get_peft_model(load_base(base), config)
    state = get_peft_model_state_dict(model)
    return {key: list(value.shape) for key, value in state.items()}, config


def logits_of(model, inputs, drop_first):
    result = []
    with torch.no_grad():
        for ids in inputs:
            batch = torch.tensor([ids])
            logits = model(input_ids=batch, attention_mask=torch.ones_like(batch)).logits[0, drop_first:]
            result.append(logits.float())
    return result


def max_relative_difference(ours, theirs):
    worst = 0.0
    for i, expected in enumerate(theirs):
        actual = ours.get_tensor(f"logits.{i}")
        if list(actual.shape) != list(expected.shape):
            raise AssertionError(f"logits.{i}: Capsule wrote {list(actual.shape)}, PEFT gives {list(expected.shape)}")
        scale = max(1.0, expected.abs().max().item())
        worst = max(worst, (actual - expected).abs().max().item() / scale)
    return worst


def check_merged_only(case):
    """Without peft: the merged export against Capsule's own adapter logits."""
    report = {"name": case["name"], "peft": None}
    if not case.get("merged"):
        report.update(ok=None, skipped="no merged export for this method; its check needs peft")
        return report
    inputs = json.load(open(case["inputs"]))
    with safe_open(case["capsule_logits"], framework="pt") as ours:
        check_merged(case, ours, inputs, report)
        plain = logits_of(load_base(case["base"]), inputs, 0)
        report["adapter_effect"] = max((ours.get_tensor(f"logits.{i}") - p).abs().max().item()
                                       for i, p in enumerate(plain))
    report["ok"] = (report["merged_max_rel_diff"] < TOLERANCE and report["adapter_effect"] > 1e-4
                    and report["merged_tokenizer_matches"])
    return report


def check_merged(case, ours, inputs, report):
    """The merged export loads in transformers with Capsule's adapter logits (`ours`), and its tokenizer
    files load and tokenize as the base model's do."""
    report["merged_max_rel_diff"] = max_relative_difference(ours, logits_of(load_base(case["merged"]), inputs, 0))
    text = "The merged model keeps its tokenizer: great, awful, 42!"
    report["merged_tokenizer_matches"] = (AutoTokenizer.from_pretrained(case["merged"])(text)["input_ids"] ==
                                          AutoTokenizer.from_pretrained(case["base"])(text)["input_ids"])


def check(case):
    if not HAVE_PEFT:
        return check_merged_only(case)
    report = {"name": case["name"]}
    inputs = json.load(open(case["inputs"]))
    want, config = expected_shapes(case["base"], case["adapter"])
    have = saved_shapes(case["adapter"])
    report["peft_type"] = str(config.peft_type.value)
    missing = sorted(set(want) - set(have))
    extra = sorted(set(have) - set(want))
    wrong = sorted(key for key in set(want) & set(have) if want[key] != have[key])
    report["keys"] = {"count": len(have), "missing": missing, "unexpected": extra,
                      "wrong_shape": [f"{k}: ours {have[k]}, PEFT {want[k]}" for k in wrong]}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = PeftModel.from_pretrained(load_base(case["base"]), case["adapter"]).eval()
    report["load_warnings"] = [str(w.message)[:300] for w in caught
                               if "key" in str(w.message).lower() or "missing" in str(w.message).lower()]
    virtual = config.num_virtual_tokens if report["peft_type"] in ("PROMPT_TUNING", "P_TUNING") else 0
    theirs = logits_of(model, inputs, virtual)
    with safe_open(case["capsule_logits"], framework="pt") as ours:
        report["max_rel_diff"] = max_relative_difference(ours, theirs)
        plain = logits_of(load_base(case["base"]), inputs, 0)
        report["adapter_effect"] = max((a - b).abs().max().item() for a, b in zip(theirs, plain))
        if case.get("merged"):
            check_merged(case, ours, inputs, report)
    ok = not (missing or extra or wrong or report["load_warnings"]) and report["max_rel_diff"] < TOLERANCE
    ok = ok and report.get("merged_max_rel_diff", 0.0) < TOLERANCE and report["adapter_effect"] > 1e-4
    ok = ok and report.get("merged_tokenizer_matches", True)
    report["ok"] = ok
    return report


def main():
    cases = json.load(open(sys.argv[1]))
    reports = []
    for case in cases:
        try:
            report = check(case)
        except Exception:
            report = {"name": case["name"], "ok": False, "error": traceback.format_exc(limit=4)}
        print(json.dumps(report), flush=True)
        reports.append(report)
    with open(sys.argv[2], "w") as handle:
        json.dump({"transformers": transformers.__version__, "peft": HAVE_PEFT, "cases": reports}, handle, indent=2)
    failed = sum(1 for report in reports if report["ok"] is False)
    checked = sum(1 for report in reports if report["ok"] is not None)
    if HAVE_PEFT:
        print(f"{checked - failed} of {checked} Capsule adapters load in PEFT with matching logits", flush=True)
    else:
        print(f"{checked - failed} of {checked} merged exports load in transformers with Capsule's logits "
              f"({len(reports) - checked} cases skipped: no peft)", flush=True)
    return failed


if __name__ == "__main__":
    sys.exit(main())
