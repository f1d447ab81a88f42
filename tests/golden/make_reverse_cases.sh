#!/usr/bin/env bash
# The Capsule side of the reverse direction: capsule-cli trains adapters on the golden base models,
# computes their logits and exports the merged models; check_capsule_adapters.py then loads them in Python.
#
#   bash tests/golden/make_reverse_cases.sh CAPSULE_CLI GOLDEN_DIR REVERSE_DIR
#
# GOLDEN_DIR is a make_hf_golden.py output (its models/ and manifest inputs); REVERSE_DIR receives one
# adapter folder per case, NAME.logits.safetensors (capsule-cli forward --adapter), NAME-merged/ for the
# mergeable methods and cases.json. CAPSULE_REVERSE_VARIANTS (default: all nine) limits the methods,
# e.g. "lora lora-rslora-all-linear adalora ia3" where only transformers is there to load merged models.
# Progress and failures go to stdout; a case that fails to train is left out of cases.json.
set -uo pipefail
cli=$1 golden=$2 reverse=$3
variants=${CAPSULE_REVERSE_VARIANTS:-lora lora-rslora-all-linear adalora ia3 prompt-tuning prefix-tuning p-tuning p-tuning-lstm t-few}
rm -rf "$reverse" && mkdir -p "$reverse"
timeout 60 "$cli" demo --max-steps 1 --folder "$reverse/demo" --quiet > "$reverse/demo.log" 2>&1 ||
    echo "demo FAILED (its dataset is the training data): $(tail -3 "$reverse/demo.log")"
python3 -c 'import json, sys; json.dump(json.load(open(sys.argv[1]))["inputs"], open(sys.argv[2], "w"))' \
    "$golden/manifest.json" "$reverse/ids.json"
cases="["
for base in gpt2 llama-gqa-bf16-sharded; do
    for variant in $variants; do
        name=$base-$variant
        model=$golden/models/$base
        method=$variant
        extra=()
        case $variant in
            lora-rslora-all-linear) method=lora; extra=(--use-rslora --r 4 --lora-alpha 16 --target-modules all-linear) ;;
            adalora) extra=(--init-r 6 --target-r 2 --tinit 2 --tfinal 2 --delta-t 1) ;;
            p-tuning-lstm) method=p-tuning; extra=(--encoder-reparameterization-type LSTM --encoder-hidden-size 32) ;;
            prefix-tuning) [ "$base" = gpt2 ] && extra=(--prefix-projection --encoder-hidden-size 32) ;;
        esac
        if ! timeout 120 "$cli" train --model "$model" --data "$reverse/demo/sentiment.jsonl" --method "$method" \
                --out "$reverse/$name" --max-steps 8 --batch-size 8 --lr 0.02 --num-virtual-tokens 4 \
                --store "$reverse/runs.db" --quiet "${extra[@]}"; then
            echo "train $name FAILED"; continue
        fi
        timeout 120 "$cli" forward --model "$model" --adapter "$reverse/$name" --input "$reverse/ids.json" \
            --output "$reverse/$name.logits.safetensors" || echo "forward $name FAILED"
        merged=""
        case $method in lora|adalora|ia3)
            run=$(python3 -c 'import json, subprocess, sys
runs = json.loads(subprocess.check_output([sys.argv[1], "runs", "--json", "--store", sys.argv[2]]))
print([r["id"] for r in runs if r["output_dir"] == sys.argv[3]][-1])' "$cli" "$reverse/runs.db" "$reverse/$name")
            if timeout 120 "$cli" export "$run" --out "$reverse/$name-merged" --merged --store "$reverse/runs.db"; then
                merged=$reverse/$name-merged
            else
                echo "export --merged $name FAILED"
            fi ;;
        esac
        cases+="{\"name\": \"$name\", \"base\": \"$model\", \"adapter\": \"$reverse/$name\", \"inputs\": \"$reverse/ids.json\","
        cases+=" \"capsule_logits\": \"$reverse/$name.logits.safetensors\", \"merged\": \"$merged\"},"
    done
done
echo "${cases%,}]" > "$reverse/cases.json"
echo "wrote $(grep -o '"name"' "$reverse/cases.json" | wc -l) cases to $reverse/cases.json"
