#!/usr/bin/env python3
"""Golden fixtures from the real Hugging Face libraries (transformers + peft), for tests/fixtures/hf-golden.

Run on a machine that has torch, transformers, peft and safetensors (the GPU device machine has them;
the computation itself runs on the CPU in float32 with eager attention, so it is deterministic). Without
peft only the model fixtures are made (manifest "versions.peft" is null, "adapters" empty); Debian sid's
python3-transformers is enough for those (tests/golden/debian_sid_golden.sh):

    python3 tests/golden/make_hf_golden.py OUT_DIR [--tokenizer resources/demo/model]

OUT_DIR receives
    manifest.json                  what is here, the library versions, the input ids
    models/<name>/                 tiny random checkpoints written by save_pretrained (config.json as
                                   this transformers version writes it, safetensors, sharded for one),
                                   plus the demo tokenizer so `capsule-cli train` can use them
    adapters/<name>/               adapters written by PEFT's save_pretrained (random non-zero weights;
                                   AdaLoRA trained a few steps so that its rank_pattern is set)
    expected/<name>.safetensors    F32 logits.<i> [len_i, vocab] per input, exactly the layout of
                                   `capsule-cli forward --output` (virtual tokens dropped)
and, per model in the manifest, transformers' greedy generate() from the 12-token input ("generation").

Expected adapter logits come from a fresh base model with the saved adapter loaded back through
PeftModel.from_pretrained, i.e. what a Python user gets from the files. tests/core/peft/test_hf_golden.cpp
compares capsule-cli against them.
"""
import argparse
import json
import os
import shutil
import sys
import traceback

import torch
import transformers
import safetensors
try:
    import peft
except ImportError:  # transformers alone still gives the model fixtures; the adapter ones need peft
    peft = None
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM, GPT2Config, LlamaConfig, MistralConfig, Qwen2Config

VOCAB = 343  # the demo tokenizer's model vocabulary (resources/demo/model/config.json)
INPUT_LENGTHS = [5, 12, 24]  # 24 > 16 = the original context of the RoPE-scaling models
GENERATED_TOKENS = 20  # after the 12-token input: past 16 (dynamic RoPE) and the sliding window 8
V5 = int(transformers.__version__.split(".")[0]) >= 5
FAILURES = []  # entries that could not be made, with their tracebacks (also in manifest.json)


def log(*parts):
    print(*parts, flush=True)


def rope_kwargs(theta, scaling):
    """RoPE settings the way this transformers version spells them (v5: rope_parameters)."""
    if V5:
        parameters = {"rope_type": "default", "rope_theta": theta}
        parameters.update(scaling or {})
        return {"rope_parameters": parameters}
    kwargs = {"rope_theta": theta}
    if scaling:
        kwargs["rope_scaling"] = dict(scaling)
    return kwargs


def model_specs():
    """(name, config factory, saved dtype, max shard size, what it covers). The configs are made
    lazily, so one that this transformers version rejects fails alone."""
    common = dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                  num_attention_heads=4, rms_norm_eps=1e-5, bos_token_id=0, eos_token_id=0)

    def gpt2():
        return GPT2Config(vocab_size=VOCAB, n_positions=64, n_embd=64, n_layer=2, n_head=4,
                          activation_function="gelu_new", resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                          bos_token_id=0, eos_token_id=0)

    def llama_gqa():
        return LlamaConfig(**common, num_key_value_heads=2, max_position_embeddings=64, tie_word_embeddings=False,
                           **rope_kwargs(10000.0, {"rope_type": "linear", "factor": 2.0}))

    def llama3():
        scaling = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                   "original_max_position_embeddings": 16}
        return LlamaConfig(**common, num_key_value_heads=2, head_dim=32, max_position_embeddings=64,
                           attention_bias=True, mlp_bias=True, tie_word_embeddings=False,
                           **rope_kwargs(500000.0, scaling))

    def llama_dynamic():
        return LlamaConfig(**common, num_key_value_heads=4, max_position_embeddings=16, tie_word_embeddings=False,
                           **rope_kwargs(10000.0, {"rope_type": "dynamic", "factor": 2.0}))

    def qwen2():
        scaling = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 16}
        return Qwen2Config(**common, num_key_value_heads=2, max_position_embeddings=64, tie_word_embeddings=True,
                           use_sliding_window=False, **rope_kwargs(1000000.0, scaling))

    def mistral():
        return MistralConfig(**common, num_key_value_heads=1, max_position_embeddings=64, sliding_window=8,
                             tie_word_embeddings=False, **rope_kwargs(10000.0, None))

    return [
        ("gpt2", gpt2, torch.float32, None, "GPT-2, tied head, Conv1D"),
        ("llama-gqa-bf16-sharded", llama_gqa, torch.bfloat16, "150KB",
         "Llama, GQA 4/2, bf16 weights in shards, linear RoPE scaling"),
        ("llama3-rope-head-dim-bias", llama3, torch.float32, None,
         "Llama 3 RoPE, head_dim != hidden/heads, attention and MLP biases"),
        ("llama-dynamic-rope", llama_dynamic, torch.float32, None,
         "dynamic NTK RoPE (the 24-token input exceeds max_position_embeddings 16)"),
        ("qwen2-tied-yarn", qwen2, torch.float32, None, "Qwen2, q/k/v biases, tied head, yarn RoPE"),
        ("mistral-sliding-window", mistral, torch.float32, None,
         "Mistral, MQA, sliding window 8 (< the 24-token input)"),
    ]


def randomize_base(model, seed):
    """Weights large enough that attention patterns and every formula matter."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            noise = torch.randn(parameter.shape, generator=generator)
            if parameter.dim() == 1 and name.endswith("weight"):  # norm gains
                parameter.copy_(1.0 + 0.1 * noise)
            elif parameter.dim() == 1:  # biases
                parameter.copy_(0.1 * noise)
            else:
                parameter.copy_(0.15 * noise)


def load_kwargs():
    return {"dtype": torch.float32} if V5 else {"torch_dtype": torch.float32}


def load_base(folder):
    model = AutoModelForCausalLM.from_pretrained(folder, attn_implementation="eager", **load_kwargs())
    return model.eval()


def input_ids():
    generator = torch.Generator().manual_seed(2024)
    return [torch.randint(0, VOCAB, (length,), generator=generator).tolist() for length in INPUT_LENGTHS]


def logits_of(make_model, inputs, drop_first=0):
    """logits.<i> [len_i, V] per input; a fresh model per input (HF's dynamic RoPE keeps state)."""
    tensors = {}
    with torch.no_grad():
        for i, ids in enumerate(inputs):
            model = make_model()
            batch = torch.tensor([ids])
            output = model(input_ids=batch, attention_mask=torch.ones_like(batch))
            logits = output.logits[0, drop_first:].float().contiguous()
            assert logits.shape == (len(ids), VOCAB), (logits.shape, len(ids))
            tensors[f"logits.{i}"] = logits
    return tensors


def write_models(out, tokenizer_dir, inputs):
    entries = []
    for index, (name, make_config, dtype, shard, covers) in enumerate(model_specs()):
        try:
            entries.append(write_model(out, tokenizer_dir, inputs, index, name, make_config(), dtype, shard, covers))
        except Exception:  # one broken entry must not cost the others (the device run is one shot)
            log(f"model {name} FAILED:\n" + traceback.format_exc())
            FAILURES.append({"model": name, "error": traceback.format_exc(limit=3)})
    return entries


def write_model(out, tokenizer_dir, inputs, index, name, config, dtype, shard, covers):
    folder = os.path.join(out, "models", name)
    torch.manual_seed(index)
    model = AutoModelForCausalLM.from_config(config, attn_implementation="eager")
    randomize_base(model, 100 + index)
    model = model.to(dtype)
    save = {"max_shard_size": shard} if shard else {}
    model.save_pretrained(folder, **save)
    for file in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(tokenizer_dir, file), folder)
    written = json.load(open(os.path.join(folder, "config.json")))
    expected = logits_of(lambda: load_base(folder), inputs)
    save_file(expected, os.path.join(out, "expected", name + ".safetensors"), metadata={"format": "pt"})
    generation = greedy_generation(load_base(folder), inputs[1])
    files = sorted(os.listdir(folder))
    log(f"model {name}: {sum(p.numel() for p in model.parameters())} parameters, files {files}")
    log(f"    config rope fields: " + json.dumps({k: written.get(k) for k in
                                                  ("rope_theta", "rope_scaling", "rope_parameters")
                                                  if k in written}))
    rope = json.dumps({k: written.get(k) for k in ("rope_scaling", "rope_parameters")})
    for rope_type in ("linear", "llama3", "dynamic", "yarn"):
        if rope_type in covers or (rope_type == "llama3" and "Llama 3" in covers):
            assert f'"{rope_type}"' in rope, f"{name}: config.json lost the {rope_type} RoPE scaling: {rope}"
    log(f"    greedy generation: {generation['tokens']} (smallest top-2 gap {min(generation['gaps']):.2e})")
    return {"name": name, "folder": f"models/{name}", "expected": f"expected/{name}.safetensors",
            "model_type": written["model_type"], "covers": covers, "files": files, "generation": generation}


def greedy_generation(model, prompt):
    """transformers' own generate() with its KV cache: greedy, up to GENERATED_TOKENS new tokens or EOS,
    and per step the gap between the two largest logits (a near tie may flip on summation order)."""
    with torch.no_grad():
        batch = torch.tensor([prompt])
        output = model.generate(input_ids=batch, attention_mask=torch.ones_like(batch), do_sample=False,
                                max_new_tokens=GENERATED_TOKENS,
                                return_dict_in_generate=True, output_logits=True, pad_token_id=0)
    tokens = output.sequences[0, len(prompt):].tolist()
    gaps = []
    for logits in output.logits:
        top = logits[0].float().topk(2).values
        gaps.append((top[0] - top[1]).item())
    eos = model.generation_config.eos_token_id
    return {"prompt": prompt, "tokens": tokens, "gaps": gaps, "max_new_tokens": GENERATED_TOKENS,
            "eos_token_ids": eos if isinstance(eos, list) else ([] if eos is None else [eos])}


def adapter_specs():
    """(name, base model, config factory): made lazily, so a config this PEFT rejects fails alone."""
    from peft import (AdaLoraConfig, IA3Config, LoraConfig, PrefixTuningConfig, PromptEncoderConfig,
                      PromptTuningConfig)
    lm = {"task_type": "CAUSAL_LM"}
    llama_all = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    specs = []
    for base in ("gpt2", "llama-gqa-bf16-sharded"):
        short = "gpt2" if base == "gpt2" else "llama"
        specs += [
            (f"{short}-lora", base, lambda: LoraConfig(**lm, r=4, lora_alpha=8, lora_dropout=0.1)),
            (f"{short}-adalora", base,
             lambda: AdaLoraConfig(**lm, init_r=6, target_r=2, tinit=1, tfinal=2, deltaT=1, total_step=6,
                                   lora_alpha=8)),
            (f"{short}-ia3", base, lambda: IA3Config(**lm)),
            (f"{short}-prompt-tuning", base, lambda: PromptTuningConfig(**lm, num_virtual_tokens=4)),
            (f"{short}-prefix-tuning", base, lambda: PrefixTuningConfig(**lm, num_virtual_tokens=4)),
            (f"{short}-prefix-projection", base,
             lambda: PrefixTuningConfig(**lm, num_virtual_tokens=4, prefix_projection=True, encoder_hidden_size=32)),
            (f"{short}-p-tuning-mlp", base,
             lambda: PromptEncoderConfig(**lm, num_virtual_tokens=4, encoder_hidden_size=32)),
            (f"{short}-p-tuning-lstm", base,
             lambda: PromptEncoderConfig(**lm, num_virtual_tokens=4, encoder_hidden_size=32,
                                         encoder_reparameterization_type="LSTM")),
        ]
    specs += [
        ("gpt2-lora-rslora-patterns", "gpt2",
         lambda: LoraConfig(**lm, r=4, lora_alpha=16, use_rslora=True, target_modules=["c_attn", "c_proj", "c_fc"],
                            bias="lora_only", rank_pattern={"c_fc": 2}, alpha_pattern={"c_proj": 4})),
        ("llama-lora-layers-modules-to-save", "llama-gqa-bf16-sharded",
         lambda: LoraConfig(**lm, r=4, lora_alpha=8, target_modules=llama_all, layers_to_transform=[1],
                            modules_to_save=["lm_head"])),
        ("llama-lora-all-linear", "llama-gqa-bf16-sharded",
         lambda: LoraConfig(**lm, r=2, lora_alpha=4, target_modules="all-linear", init_lora_weights="gaussian")),
        ("qwen2-lora", "qwen2-tied-yarn",
         lambda: LoraConfig(**lm, r=4, lora_alpha=8, target_modules=["q_proj", "k_proj", "v_proj", "o_proj"])),
        ("llama3-ia3", "llama3-rope-head-dim-bias", lambda: IA3Config(**lm)),
    ]
    return specs


def perturb_trainable(model, seed):
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if parameter.requires_grad:
                parameter.add_(0.3 * torch.randn(parameter.shape, generator=generator))


def train_adalora(model, config, seed):
    """A few real steps so that the allocator masks ranks and rank_pattern is written."""
    generator = torch.Generator().manual_seed(seed)
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    final_step = config.total_step - config.tfinal
    for step in range(final_step + 1):
        batch = torch.randint(0, VOCAB, (2, 12), generator=generator)
        loss = model(input_ids=batch, labels=batch).loss
        loss.backward()
        optimizer.step()
        model.base_model.update_and_allocate(step)
        optimizer.zero_grad()
    model.eval()
    pattern = model.peft_config["default"].rank_pattern
    assert pattern, "AdaLoRA did not set a rank_pattern"
    return {key: sum(bool(b) for b in mask) for key, mask in pattern.items()}


def write_adapters(out, models, inputs):
    entries = []
    folders = {entry["name"]: os.path.join(out, entry["folder"]) for entry in models}
    for index, (name, base, make_config) in enumerate(adapter_specs()):
        if base not in folders:
            FAILURES.append({"adapter": name, "error": f"base model {base} failed"})
            continue
        try:
            entries.append(write_adapter(out, folders, inputs, index, name, base, make_config()))
        except Exception:
            log(f"adapter {name} FAILED:\n" + traceback.format_exc())
            FAILURES.append({"adapter": name, "error": traceback.format_exc(limit=3)})
    return entries


def write_adapter(out, folders, inputs, index, name, base, config):
    from peft import PeftModel, get_peft_model
    torch.manual_seed(1000 + index)
    model = get_peft_model(load_base(folders[base]), config)
    perturb_trainable(model, 2000 + index)
    kept = train_adalora(model, config, 3000 + index) if config.peft_type == "ADALORA" else None
    model.eval()
    folder = os.path.join(out, "adapters", name)
    model.save_pretrained(folder)
    virtual = getattr(config, "num_virtual_tokens", 0) if config.peft_type in ("PROMPT_TUNING", "P_TUNING") else 0

    def reloaded():
        return PeftModel.from_pretrained(load_base(folders[base]), folder).eval()

    expected = logits_of(reloaded, inputs, drop_first=virtual)
    in_memory = logits_of(lambda: model, inputs, drop_first=virtual)
    plain = logits_of(lambda: load_base(folders[base]), inputs)
    reload_diff = max((expected[k] - in_memory[k]).abs().max().item() for k in expected)
    effect = max((expected[k] - plain[k]).abs().max().item() for k in expected)
    assert reload_diff < 1e-4, f"{name}: PEFT's own reload differs by {reload_diff}"
    assert effect > 1e-3, f"{name}: the adapter does not change the output ({effect})"
    save_file(expected, os.path.join(out, "expected", name + ".safetensors"), metadata={"format": "pt"})
    log(f"adapter {name}: {config.peft_type}, effect on logits {effect:.3f}, reload diff {reload_diff:.2e}"
        + (f", kept ranks {kept}" if kept else ""))
    return {"name": name, "base": base, "peft_type": str(config.peft_type.value),
            "folder": f"adapters/{name}", "expected": f"expected/{name}.safetensors",
            "virtual_tokens": virtual, "kept_ranks": kept, "files": sorted(os.listdir(folder))}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--tokenizer", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                            "resources", "demo", "model"))
    args = parser.parse_args()
    torch.set_num_threads(min(8, os.cpu_count() or 1))
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    os.makedirs(os.path.join(args.out, "expected"))
    inputs = input_ids()
    versions = {"torch": torch.__version__, "transformers": transformers.__version__,
                "peft": peft.__version__ if peft else None, "safetensors": safetensors.__version__}
    log("versions:", json.dumps(versions))
    models = write_models(args.out, args.tokenizer, inputs)
    adapters = write_adapters(args.out, models, inputs) if peft else []
    if not peft:
        log("peft is not installed: no adapter fixtures")
    manifest = {"generated_by": "tests/golden/make_hf_golden.py", "versions": versions,
                "compute": "CPU, float32, attn_implementation=eager", "vocab_size": VOCAB,
                "inputs": inputs, "models": models, "adapters": adapters, "failures": FAILURES}
    with open(os.path.join(args.out, "manifest.json"), "w") as handle:
        json.dump(manifest, handle, indent=2, sort_keys=True)
        handle.write("\n")
    log(f"wrote {len(models)} models and {len(adapters)} adapters to {args.out}; {len(FAILURES)} failed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
