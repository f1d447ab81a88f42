#pragma once
// The interface every PEFT method implements, and the entry points that save and load adapters
// in the Hugging Face PEFT folder layout (adapter_config.json + adapter_model.safetensors,
// peft-spec.md §1).
//
// Two families implement it:
//   - weight adapters (LoRA, AdaLoRA, IA3: lora.h, adalora.h, ia3.h) wrap linear layers through
//     model::LinearAdapter and can merge into the base weights;
//   - prompt-learning methods (prompt tuning, P-tuning, prefix tuning) leave the layers alone and
//     transform the forward input instead (prepareInput / generationHooks).
//
// Life cycle: construct with a config, apply(model, ...) once (freezes the base model, attaches
// parameters), train (trainableParameters(), regularizationLoss(), afterOptimizerStep()), then
// saveAdapter(). loadAdapter() does construct + apply + load for any supported peft_type.
// The model must outlive the adapter. Not thread-safe (it mutates the model).
#include "model/causal_lm.h"
#include "model/generation.h"
#include "model/kv_cache.h"
#include "peft/peft_config.h"
#include "peft/rank_snapshot.h"

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace capsule::peft {

using NamedTensorList = std::vector<std::pair<std::string, torch::Tensor>>;

/// The forward input after a prompt-learning method rewrote it.
struct AdaptedInput {
    model::ForwardInput input;
    /// Positions prepended to every sequence: the logits have T + virtualTokenCount positions and
    /// the first virtualTokenCount belong to virtual tokens (drop them; labels get -100 there).
    int64_t virtualTokenCount = 0;
    /// Keeps a cache alive that input.cache points to (prefix tuning); may be null.
    std::shared_ptr<model::KVCache> ownedCache;
};

/// How apply() initialises the adapter's parameters.
enum class WeightInit {
    Fresh,     ///< the method's training init (e.g. LoRA: Kaiming-uniform A, zero B)
    FromFile,  ///< shapes only; loadAdapter() copies the file's tensors in next
};

class AdapterMethod {
public:
    virtual ~AdapterMethod();

    /// PEFT's peft_type: "LORA", "ADALORA", "IA3", "PROMPT_TUNING", ...
    virtual std::string peftType() const = 0;

    /// Attaches the adapter to `model`: freezes every base parameter (requires_grad = false) and
    /// creates the adapter's own parameters (requires_grad = true) on the model's device, in float32
    /// (PEFT's autocast_adapter_dtype). Throws std::runtime_error for configs that do not fit the
    /// model (no matching target, ...). Call once.
    virtual void apply(model::CausalLM& model, WeightInit init) = 0;

    /// adapter_config.json text (§1.2) for the adapter as it stands (AdaLoRA: current rank_pattern).
    virtual std::string configJson(ConfigProfile profile) const = 0;

    /// The tensors adapter_model.safetensors holds, under their saved keys (§1.4; AdaLoRA sliced
    /// to the kept ranks). Tensors may alias live parameters: the writer copies them.
    virtual NamedTensorList stateDict() = 0;

    /// The live tensors a saved file is loaded into, by saved key; their shapes are the shapes
    /// the file must hold. loadAdapter() copies into them under NoGradGuard.
    virtual NamedTensorList loadTargets() = 0;

    /// Exactly the parameters the optimizer must train, stable order, each once. Base parameters
    /// are never among them unless the config asks (LoRA bias "all"/"lora_only", modules_to_save).
    virtual std::vector<torch::Tensor> trainableParameters();
    /// The same with their saved keys.
    virtual NamedTensorList namedTrainableParameters() = 0;
    /// Every tensor the adapter registered in the model's module tree (trainable or not, e.g.
    /// AdaLoRA's ranknum); exporters skip these. Default: none.
    virtual std::vector<torch::Tensor> ownedParameters();

    /// Weight adapters fold ΔW into the base weights in place (forward then costs nothing extra).
    virtual bool supportsMerge() const { return false; }
    /// Throws std::runtime_error for methods without merge.
    virtual void merge();
    virtual void unmerge();
    virtual bool isMerged() const { return false; }
    /// Base weights with the adapter folded in, keyed by model parameter name (only the changed
    /// ones), computed out of place: the model is not modified. For merged export.
    virtual NamedTensorList mergedParameters();

    /// Disabled: the model computes the base output (a merged adapter is unmerged first, as PEFT).
    virtual void setEnabled(bool enabled) = 0;
    virtual bool isEnabled() const = 0;

    /// Prompt-learning hook: rewrites a forward input. Default: unchanged.
    virtual AdaptedInput prepareInput(const model::ForwardInput& input);
    /// Prompt-learning hook for model::generate(). Default: none.
    virtual model::GenerationHooks generationHooks();

    /// Training hooks the trainer calls for every method; no-ops except for AdaLoRA.
    /// Extra loss to add to the task loss (AdaLoRA: orth_reg_weight · R); undefined when none.
    virtual torch::Tensor regularizationLoss();
    /// Call after each optimizer.step() and BEFORE zero_grad() (gradients are read), with the
    /// number of optimizer steps done so far including this one (1-based, HF Trainer's
    /// state.global_step).
    virtual void afterOptimizerStep(int64_t globalStep);
    /// Receives a RankSnapshot after each afterOptimizerStep() (AdaLoRA only); called on the
    /// trainer's thread.
    virtual void setRankSnapshotCallback(std::function<void(const RankSnapshot&)> callback);
    /// State the training hooks keep between steps that a checkpoint must carry for an exact resume
    /// (AdaLoRA: the allocator's importance EMAs and the rank pattern), as named CPU tensors.
    /// Default: none.
    virtual NamedTensorList trainingState() const;
    /// Restores trainingState() into an adapter applied from the same config. Throws
    /// std::runtime_error naming the tensor when names or shapes do not fit.
    virtual void restoreTrainingState(const NamedTensorList& state);

    /// Detaches the adapter (unmerging first); base parameters stay frozen.
    virtual void remove() = 0;
};

/// Disables an adapter for a scope (base-model output), restoring the previous state after.
class AdapterDisabledScope {
public:
    explicit AdapterDisabledScope(AdapterMethod& adapter);
    ~AdapterDisabledScope();
    AdapterDisabledScope(const AdapterDisabledScope&) = delete;
    AdapterDisabledScope& operator=(const AdapterDisabledScope&) = delete;

private:
    AdapterMethod& adapter_;
    bool wasEnabled_;
    bool wasMerged_;
};

/// Writes `folder`/adapter_config.json and `folder`/adapter_model.safetensors (F32, metadata
/// {"format": "pt"}). Both files are written into a temporary sibling folder first, which then
/// replaces `folder`; when `folder` already holds other entries (e.g. checkpoints/), the two files
/// are moved in one by one instead (tensors first, config last), each rename atomic.
void saveAdapter(AdapterMethod& adapter, const std::string& folder, ConfigProfile profile = ConfigProfile::Compatible);

struct AdapterLoadOptions {
    /// false (PEFT's is_trainable=False): adapter parameters are frozen too.
    bool trainable = false;
    /// Receives a line for each unknown adapter_config.json key (PEFT drops them with a warning).
    std::function<void(const std::string& warning)> onWarning;
};

/// Reads `folder`, builds the adapter its peft_type names, applies it to `model` and loads the
/// tensors. Every tensor the adapter needs must be present with exactly its shape; a tensor the
/// model has no place for is an error too (messages name the key and the file). Base-model
/// tensors PEFT saves alongside (bias "all", embeddings) are loaded into the model.
/// Throws std::runtime_error; unsupported peft_type values are named in the message.
std::unique_ptr<AdapterMethod> loadAdapter(model::CausalLM& model, const std::string& folder,
                                           const AdapterLoadOptions& options = {});

/// Builds an adapter from adapter_config.json text (not applied yet). Used by loadAdapter().
using AdapterFactory = std::function<std::unique_ptr<AdapterMethod>(const std::string& configJson,
                                                                    const std::string& sourceName,
                                                                    std::vector<std::string>& ignoredKeys)>;
/// Adds or replaces the factory for `peftType` (prompt-learning methods register theirs here).
/// Thread-safe.
void registerAdapterFactory(const std::string& peftType, AdapterFactory factory);

/// logits [B, T, V] of the real tokens for `input`, with `adapter` (may be null) applied:
/// prepareInput(), forward, virtual-token positions dropped.
torch::Tensor forwardLogits(model::CausalLM& model, AdapterMethod* adapter, const model::ForwardInput& input);

}  // namespace capsule::peft
