#include "train/trainer.h"

#include "train/device_memory.h"
#include "train/evaluation.h"

#include "data/batcher.h"
#include "data/dataset_loader.h"
#include "model/model_loader.h"
#include "peft/multiple_choice.h"
#include "peft/parameter_count.h"
#include "peft/tfew_losses.h"
#include "tokenizer/chat_template.h"
#include "train/checkpoint.h"
#include "train/loss_scaler.h"
#include "train/lr_schedule.h"
#include "train/method_factory.h"
#include "train/run_dataset.h"

#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <new>
#include <unordered_set>

namespace capsule::train {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int64_t residentSetBytes() {
    std::ifstream statm("/proc/self/statm");
    int64_t pages = 0, resident = 0;
    if (!(statm >> pages >> resident)) return 0;
    return resident * static_cast<int64_t>(sysconf(_SC_PAGESIZE));
}

bool isOutOfMemory(const std::exception& error) {
    const std::string what = error.what();
    return what.find("out of memory") != std::string::npos || what.find("can't allocate memory") != std::string::npos ||
           what.find("not enough memory") != std::string::npos;
}

std::string formatScale(double scale) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", scale);
    return text;
}

/// Stops the run with a reason (caught in run()).
struct RunFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// What to do about an error that ran out of disk space (ENOSPC, EDQUOT); "" for other errors.
std::string diskFullHint(const std::string& what) {
    const bool full = what.find("No space left on device") != std::string::npos ||
                      what.find("Disk quota exceeded") != std::string::npos;
    return full ? " (free space on that disk, then resume)" : std::string();
}

/// Everything one run holds; the loop is split into methods for readability.
class Run {
public:
    Run(TrainingConfig config, TrainingObserver& observer, TrainingControl* control)
        : config_(std::move(config)), observer_(observer), control_(control) {}

    TrainingResult execute();

private:
    void setUp();
    torch::Tensor microBatchLoss();            // scalar, fp32, autograd on
    torch::Tensor languageModelLoss(const data::Batch& batch, bool sum, int64_t* count);
    torch::Tensor tFewLoss(const std::vector<size_t>& indices, const std::vector<data::Example>& examples);
    EvalMetrics evaluate();
    void maybeImprove(EvalMetrics& metrics);
    void saveCheckpoint();
    /// "; the last good checkpoint is <folder>" for failure messages ("" before the first one).
    std::string lastCheckpointNote() const {
        return result_.lastCheckpoint.empty() ? std::string() : "; the last good checkpoint is " + result_.lastCheckpoint;
    }
    /// With a loss scaler: whether this step's loss and gradients are finite; false = skip the step
    /// (the scale was lowered), a RunFailure once float16 cannot be rescued.
    bool scaledStepIsFinite(const torch::Tensor& stepLoss, const torch::Tensor& gradNorm, double lossScale);
    void log(LogLevel level, const std::string& message) { observer_.onLog(level, message); }
    void status(TrainingStatus value, const std::string& reason = {}) {
        observer_.onStatus(StatusChange{value, step_, reason});
    }
    bool stopRequested() {
        if (!control_) return false;
        if (control_->pauseRequested() && !control_->cancelRequested()) {
            status(TrainingStatus::Paused);
            const bool goOn = control_->waitWhilePaused();
            if (goOn) status(TrainingStatus::Resumed);
        }
        return control_->cancelRequested();
    }

    TrainingConfig config_;
    TrainingObserver& observer_;
    TrainingControl* control_;
    TrainingResult result_;

    torch::Device device_{torch::kCPU};
    torch::ScalarType dtype_ = torch::kFloat;
    std::unique_ptr<tokenizer::Tokenizer> tokenizer_;
    data::LoadedDataset dataset_;
    bool choices_ = false;
    int64_t padId_ = 0;
    std::shared_ptr<model::CausalLM> model_;
    std::unique_ptr<peft::AdapterMethod> adapter_;
    std::vector<torch::Tensor> parameters_;
    std::unique_ptr<torch::optim::AdamW> optimizer_;
    std::unique_ptr<data::Batcher> batcher_;
    ScheduleSettings schedule_;
    int64_t totalSteps_ = 0;
    int64_t step_ = 0;
    int64_t startStep_ = 0;
    std::optional<LossScaler> scaler_;  // float16 only (see loss_scaler.h)
    CheckpointState resumed_;           // the state a resumed run starts from

    // best-by-eval
    std::optional<double> bestMetric_;
    std::string bestMetricName_;
    int64_t bestStep_ = 0;
    int64_t evaluationsWithoutImprovement_ = 0;
    std::vector<torch::Tensor> bestValues_;  // clones of parameters_ at the best eval (this session)
    int64_t lastEvalStep_ = -1;

    // per-step counters
    int64_t stepTokens_ = 0;
    int64_t stepSamples_ = 0;
};

void Run::setUp() {
    if (!config_.resume.empty()) {
        const CheckpointState state = readCheckpointState(config_.resume);
        TrainingConfig saved = trainingConfigFromJson(state.config, config_.resume + "/trainer_state.json");
        // The checkpoint's config rules; the caller may extend the budget and redirect reporting.
        if (config_.maxSteps > 0) saved.maxSteps = config_.maxSteps;
        if (!config_.metricsJsonl.empty()) saved.metricsJsonl = config_.metricsJsonl;
        if (!config_.store.empty()) saved.store = config_.store;
        saved.resume = config_.resume;
        config_ = saved;
        step_ = state.step;
        resumed_ = state;
        bestMetric_ = state.bestMetric;
        bestMetricName_ = state.bestMetricName;
        bestStep_ = state.bestStep;
        evaluationsWithoutImprovement_ = state.evaluationsWithoutImprovement;
    }
    config_.validate();
    if (config_.threads > 0) torch::set_num_threads(static_cast<int>(config_.threads));
    torch::manual_seed(config_.seed);

    const std::optional<torch::Device> device = model::parseDevice(config_.device);
    device_ = device ? *device : model::defaultDevice();
    dtype_ = model::parseComputeDtype(
        resolveComputeDtype(config_.dtype, device_.is_cuda(), device_.has_index() ? device_.index() : 0));
    scaler_ = LossScaler::fromSetting(config_.lossScale, dtype_ == torch::kHalf);
    if (scaler_ && resumed_.lossScale) scaler_->restore(*resumed_.lossScale, resumed_.lossScaleFiniteSteps);

    RunDataset loaded = loadRunDataset(config_);
    for (const std::string& warning : loaded.warnings) log(LogLevel::Warning, warning);
    tokenizer_ = std::move(loaded.tokenizer);
    dataset_ = std::move(loaded.dataset);
    for (const std::string& line : {dataset_.summary.describe()}) log(LogLevel::Info, line);
    if (dataset_.train.empty()) {
        // Say why: the first bad rows (a renamed field needs --column-mapping, a wrong format --format).
        std::string reason = config_.data + ": no training examples";
        const auto& issues = dataset_.summary.issues;
        if (!issues.empty()) {
            reason += " (" + std::to_string(dataset_.summary.skippedRows) + " rows skipped; " + issues.front().describe();
            if (issues.size() > 1) reason += "; " + issues[1].describe();
            reason += ")";
        }
        throw RunFailure(reason);
    }
    choices_ = !dataset_.train.front().choiceIds.empty();
    if (config_.method == "t-few" && !choices_)
        throw RunFailure("method t-few needs multiple-choice or classification data; " + config_.data + " is " +
                         data::formatName(dataset_.summary.format));
    padId_ = data::padIdFor(tokenizer_->specialTokens());

    model::LoadOptions loadOptions;
    loadOptions.dtype = dtype_;
    loadOptions.device = device_;
    model_ = model::loadModel(config_.model, loadOptions);

    data::BatcherOptions batcherOptions;
    batcherOptions.batchSize = config_.batchSize;
    batcherOptions.seed = config_.seed;
    batcher_ = std::make_unique<data::Batcher>(dataset_.train, padId_, batcherOptions);
    const int64_t stepsPerEpoch =
        (batcher_->batchesPerEpoch() + config_.gradientAccumulation - 1) / config_.gradientAccumulation;
    totalSteps_ = config_.maxSteps > 0
                      ? config_.maxSteps
                      : std::max<int64_t>(1, static_cast<int64_t>(std::ceil(config_.epochs * static_cast<double>(stepsPerEpoch))));
    if (step_ >= totalSteps_)
        throw RunFailure("the checkpoint is at step " + std::to_string(step_) + ", at or past the step budget " +
                         std::to_string(totalSteps_) + ": pass a larger --max-steps to continue");

    adapter_ = createAdapter(config_, model_->config(), *tokenizer_, totalSteps_);
    adapter_->apply(*model_, peft::WeightInit::Fresh);
    adapter_->setRankSnapshotCallback([this](const peft::RankSnapshot& snapshot) { observer_.onRanks(snapshot); });
    parameters_ = adapter_->trainableParameters();
    if (parameters_.empty()) throw RunFailure("method " + config_.method + " has no trainable parameters for this model");

    // Only the adapter trains: a base parameter with requires_grad would be updated by nobody but
    // would cost gradient memory, and on resume it would mean the base model was unfrozen.
    std::unordered_set<const void*> trainable;
    for (const torch::Tensor& parameter : parameters_) trainable.insert(parameter.unsafeGetTensorImpl());
    for (const auto& item : model_->named_parameters(true))
        if (item.value().requires_grad() && !trainable.count(item.value().unsafeGetTensorImpl()))
            throw RunFailure("internal error: base parameter " + item.key() + " is trainable after applying " + config_.method);

    const double lr = config_.lr > 0 ? config_.lr : defaultLearningRate(config_.method);
    optimizer_ = std::make_unique<torch::optim::AdamW>(
        parameters_, torch::optim::AdamWOptions(lr)
                         .betas(std::make_tuple(config_.adamBeta1, config_.adamBeta2))
                         .eps(config_.adamEpsilon)
                         .weight_decay(config_.weightDecay));
    schedule_.kind = parseSchedule(config_.schedule);
    schedule_.baseLearningRate = lr;
    schedule_.totalSteps = totalSteps_;
    schedule_.warmupSteps = resolveWarmupSteps(config_.warmupSteps, config_.warmupRatio, totalSteps_);

    if (!config_.resume.empty()) {
        const CheckpointState state = readCheckpointState(config_.resume);
        try {
            restoreCheckpoint(config_.resume, *adapter_, *optimizer_);
        } catch (const std::runtime_error& error) {
            throw RunFailure("cannot resume from the checkpoint " + config_.resume + ": " + error.what());
        }
        batcher_->setPosition(data::BatchPosition{state.epoch, state.batchIndex});
        result_.lastCheckpoint = config_.resume;
        for (const auto& item : model_->named_parameters(true))
            if (item.value().requires_grad() && !trainable.count(item.value().unsafeGetTensorImpl()))
                throw RunFailure("internal error: resuming unfroze base parameter " + item.key());
    }
    startStep_ = step_;
    model_->train();

    const peft::ParameterCounts counts = peft::countTrainableParameters(*model_);
    result_.trainableParameters = counts.trainable;
    RunInfo info;
    info.trainableParameters = counts.trainable;
    info.totalParameters = counts.all;
    info.maxSteps = totalSteps_;
    info.startStep = step_;
    info.resumedFrom = config_.resume;
    info.bestMetric = bestMetric_;
    info.bestMetricName = bestMetricName_;
    info.bestStep = bestStep_;
    info.trainExamples = static_cast<int64_t>(dataset_.train.size());
    info.validationExamples = static_cast<int64_t>(dataset_.validation.size());
    info.computeDtype = model::computeDtypeName(dtype_);
    info.device = device_.str();
    info.configJson = toJson(config_).dump();
    observer_.onRunInfo(info);
    log(LogLevel::Info, peft::formatTrainableParameters(counts));
}

torch::Tensor Run::languageModelLoss(const data::Batch& batch, bool sum, int64_t* count) {
    return labelledTokenLoss(*model_, adapter_.get(), batch, device_, config_.packing, sum, count);
}

torch::Tensor Run::tFewLoss(const std::vector<size_t>& indices, const std::vector<data::Example>& examples) {
    std::vector<peft::MultipleChoiceExample> batch;
    std::vector<int64_t> gold;
    for (size_t index : indices) {
        const data::Example& example = examples.at(index);
        batch.push_back({example.contextIds, example.choiceIds});
        gold.push_back(example.goldIndex);
    }
    const peft::ChoiceLogLikelihoods scored =
        peft::scoreChoices(*model_, adapter_.get(), batch, config_.lengthNorm, padId_);
    const torch::Tensor goldTensor = torch::tensor(gold, torch::kLong).to(device_);  // [B]
    return peft::tFewLosses(scored.tokenLogProbabilities, scored.tokenMask, goldTensor, tFewWeights(config_)).total;
}

torch::Tensor Run::microBatchLoss() {
    const data::Batch batch = batcher_->next();
    stepTokens_ += batch.realTokens;
    stepSamples_ += static_cast<int64_t>(batch.exampleIndices.size());
    if (config_.method == "t-few") return tFewLoss(batch.exampleIndices, dataset_.train);
    return languageModelLoss(batch, false, nullptr);
}

EvalMetrics Run::evaluate() {
    EvaluationSettings settings;
    settings.device = device_;
    settings.batchSize = config_.evalBatchSize > 0 ? config_.evalBatchSize : config_.batchSize;
    settings.padId = padId_;
    settings.usePositionIds = config_.packing;
    settings.choices = choices_;
    settings.lengthNorm = config_.lengthNorm;
    if (config_.method == "t-few") settings.tFew = tFewWeights(config_);
    EvalMetrics metrics = evaluateExamples(*model_, adapter_.get(), dataset_.validation, settings);
    metrics.step = step_;
    return metrics;
}

void Run::maybeImprove(EvalMetrics& metrics) {
    const bool byAccuracy = metrics.accuracy.has_value();
    const double value = byAccuracy ? *metrics.accuracy : metrics.loss;
    bestMetricName_ = byAccuracy ? "accuracy" : "eval_loss";
    const bool better = !bestMetric_ || (byAccuracy ? value > *bestMetric_ : value < *bestMetric_);
    if (better) {
        bestMetric_ = value;
        bestStep_ = step_;
        evaluationsWithoutImprovement_ = 0;
        metrics.improved = true;
        if (config_.keepBest) {
            bestValues_.clear();
            for (const torch::Tensor& parameter : parameters_) bestValues_.push_back(parameter.detach().clone());
            const std::string folder = (fs::path(config_.out) / "best").string();
            peft::saveAdapter(*adapter_, folder);
            observer_.onArtifact("best", folder, step_);
        }
    } else {
        ++evaluationsWithoutImprovement_;
    }
}

bool Run::scaledStepIsFinite(const torch::Tensor& stepLoss, const torch::Tensor& gradNorm, double lossScale) {
    // One device sync per step: the price of float16 (GradScaler avoids it with a fused kernel).
    const bool finite = std::isfinite(stepLoss.item<double>()) && std::isfinite(gradNorm.item<double>());
    if (scaler_->update(finite)) return true;
    if (scaler_->exhausted())
        throw RunFailure("the gradients overflow at step " + std::to_string(step_ + 1) + " even with the loss scaled by " +
                         formatScale(lossScale) + " (use --dtype bfloat16 or float32, or lower --lr)" +
                         lastCheckpointNote());
    log(LogLevel::Warning, "step " + std::to_string(step_ + 1) + ": the gradients overflowed at loss scale " +
                               formatScale(lossScale) + "; step skipped, scale lowered to " + formatScale(scaler_->scale()));
    return false;
}

void Run::saveCheckpoint() {
    CheckpointState state;
    state.step = step_;
    state.epoch = batcher_->position().epoch;
    state.batchIndex = batcher_->position().batchIndex;
    state.bestMetric = bestMetric_;
    state.bestMetricName = bestMetricName_;
    state.bestStep = bestStep_;
    state.evaluationsWithoutImprovement = evaluationsWithoutImprovement_;
    if (scaler_) {
        state.lossScale = scaler_->scale();
        state.lossScaleFiniteSteps = scaler_->finiteSteps();
    }
    TrainingConfig saved = config_;
    saved.resume.clear();
    state.config = toJson(saved);
    const std::string folder = checkpointFolder(config_.out, step_);
    try {
        writeCheckpoint(folder, *adapter_, *optimizer_, state);
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception& error) {
        // A full disk, a folder gone read-only: the run stops, and says which checkpoint is intact.
        throw RunFailure("the checkpoint at step " + std::to_string(step_) + " could not be written: " + error.what() +
                         lastCheckpointNote() +
                         diskFullHint(error.what()));
    }
    result_.lastCheckpoint = folder;
    observer_.onArtifact("checkpoint", folder, step_);
}

TrainingResult Run::execute() {
    try {
        setUp();
    } catch (const std::exception& error) {
        result_.status = TrainingStatus::Failed;
        // LibTorch's errors carry a C++ backtrace in what(): the user gets the message.
        const auto* torchError = dynamic_cast<const c10::Error*>(&error);
        const std::string what = torchError ? torchError->what_without_backtrace() : std::string(error.what());
        result_.reason = what;
        if (isOutOfMemory(error) || dynamic_cast<const std::bad_alloc*>(&error))
            result_.reason = std::string("out of memory while loading: ") + what +
                             " (lower --max-length or use a smaller model / --dtype bfloat16)";
        status(TrainingStatus::Failed, result_.reason);
        return result_;
    }
    status(TrainingStatus::Started);
    const auto started = Clock::now();
    const double batchesPerEpoch = static_cast<double>(std::max<int64_t>(1, batcher_->batchesPerEpoch()));
    torch::Tensor lossSinceLog = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat).device(device_));  // scalar
    int64_t stepsSinceLog = 0, tokensSinceLog = 0, samplesSinceLog = 0;
    auto logStarted = Clock::now();
    bool cancelled = false, stoppedEarly = false;
    std::string finishReason = "reached max steps " + std::to_string(totalSteps_);
    try {
        if (config_.evalAtStart && step_ == 0 && !dataset_.validation.empty()) {
            // The baseline: what the base model (with the untrained adapter) scores before any step.
            EvalMetrics baseline = evaluate();
            result_.lastEval = baseline;
            observer_.onEval(baseline);
        }
        while (step_ < totalSteps_) {
            const double lr = learningRateAt(schedule_, step_);
            for (auto& group : optimizer_->param_groups())
                static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
            torch::Tensor stepLoss = torch::zeros({}, lossSinceLog.options());  // scalar
            // Backward runs on loss × S (S = 1 without a scaler); the gradients are divided by S below.
            const double lossScale = scaler_ ? scaler_->scale() : 1.0;
            stepTokens_ = 0;
            stepSamples_ = 0;
            for (int64_t micro = 0; micro < config_.gradientAccumulation; ++micro) {
                if (stopRequested()) {
                    cancelled = true;
                    break;
                }
                const torch::Tensor loss = microBatchLoss() / static_cast<double>(config_.gradientAccumulation);
                (scaler_ ? loss * lossScale : loss).backward();
                stepLoss += loss.detach();
            }
            if (cancelled) break;
            const torch::Tensor regularization = adapter_->regularizationLoss();
            if (regularization.defined() && regularization.requires_grad()) {
                (scaler_ ? regularization * lossScale : regularization).backward();
                stepLoss += regularization.detach().to(torch::kFloat);
            }
            if (scaler_) {
                torch::NoGradGuard noGrad;
                for (const torch::Tensor& parameter : parameters_)
                    if (parameter.grad().defined()) parameter.grad().mul_(1.0 / lossScale);
            }
            // Global gradient norm before clipping, kept on the device.
            std::vector<torch::Tensor> norms;
            for (const torch::Tensor& parameter : parameters_)
                if (parameter.grad().defined()) norms.push_back(parameter.grad().detach().to(torch::kFloat).norm());
            const torch::Tensor gradNorm = norms.empty() ? torch::zeros({}) : torch::stack(norms).norm();  // scalar
            if (config_.maxGradNorm > 0) {
                const torch::Tensor coefficient = (config_.maxGradNorm / (gradNorm + 1e-6)).clamp_max(1.0);  // scalar
                for (const torch::Tensor& parameter : parameters_)
                    if (parameter.grad().defined()) parameter.grad().mul_(coefficient.to(parameter.grad().dtype()));
            }
            const bool logNow = (step_ + 1) % config_.logEvery == 0 || step_ + 1 == totalSteps_;
            // A float16 step whose gradients overflowed counts (schedule, budget) but changes nothing.
            const bool apply = !scaler_ || scaledStepIsFinite(stepLoss, gradNorm, lossScale);
            // On the CPU reading a scalar costs nothing, so a NaN is caught before it reaches the
            // weights; on a GPU only at the logging interval (it forces a sync). A scaled step that
            // applies has had both values read and found finite already.
            if (!scaler_ && (!device_.is_cuda() || logNow)) {
                const double value = stepLoss.item<double>();
                if (!std::isfinite(value) || !std::isfinite(gradNorm.item<double>()))
                    throw RunFailure("the loss became " + std::string(std::isnan(value) ? "NaN" : "infinite") + " at step " +
                                     std::to_string(step_ + 1) + " (lower --lr or --max-grad-norm, or use --dtype float32)" +
                                     lastCheckpointNote());
            }
            if (apply) optimizer_->step();
            ++step_;
            if (apply) adapter_->afterOptimizerStep(step_);
            optimizer_->zero_grad();
            if (apply) {
                lossSinceLog += stepLoss;
                ++stepsSinceLog;
            }
            tokensSinceLog += stepTokens_;
            samplesSinceLog += stepSamples_;

            if (logNow && stepsSinceLog > 0) {
                StepMetrics metrics;
                metrics.step = step_;
                const data::BatchPosition position = batcher_->position();
                metrics.epoch = static_cast<double>(position.epoch) + static_cast<double>(position.batchIndex) / batchesPerEpoch;
                metrics.loss = lossSinceLog.item<double>() / static_cast<double>(stepsSinceLog);
                metrics.lr = lr;
                metrics.gradNorm = gradNorm.item<double>();
                const auto now = Clock::now();
                const double windowSeconds = std::max(1e-9, std::chrono::duration<double>(now - logStarted).count());
                metrics.tokensPerSecond = static_cast<double>(tokensSinceLog) / windowSeconds;
                metrics.samplesPerSecond = static_cast<double>(samplesSinceLog) / windowSeconds;
                metrics.elapsedSeconds = std::chrono::duration<double>(now - started).count();
                metrics.etaSeconds = metrics.elapsedSeconds / static_cast<double>(step_ - startStep_) *
                                     static_cast<double>(totalSteps_ - step_);
                metrics.memoryBytes = residentSetBytes();
                if (device_.is_cuda()) metrics.gpuMemoryBytes = cudaDeviceMemoryInUseBytes();
                metrics.maxSteps = totalSteps_;
                if (!std::isfinite(metrics.loss))
                    throw RunFailure("the loss became non-finite by step " + std::to_string(step_) +
                                     " (lower --lr or --max-grad-norm, or use --dtype float32)" +
                                     lastCheckpointNote());
                observer_.onStep(metrics);
                lossSinceLog.zero_();
                stepsSinceLog = tokensSinceLog = samplesSinceLog = 0;
                logStarted = Clock::now();
            }
            if (config_.evalEvery > 0 && step_ % config_.evalEvery == 0 && !dataset_.validation.empty()) {
                EvalMetrics metrics = evaluate();
                maybeImprove(metrics);
                lastEvalStep_ = step_;
                result_.lastEval = metrics;
                observer_.onEval(metrics);
                if (config_.earlyStoppingPatience > 0 && evaluationsWithoutImprovement_ >= config_.earlyStoppingPatience) {
                    stoppedEarly = true;
                    finishReason = "early stopping: no improvement of " + bestMetricName_ + " in " +
                                   std::to_string(evaluationsWithoutImprovement_) + " evaluations";
                }
            }
            if (config_.checkpointEvery > 0 && step_ % config_.checkpointEvery == 0) saveCheckpoint();
            if (stoppedEarly) break;
        }

        if (cancelled) {
            saveCheckpoint();
            peft::saveAdapter(*adapter_, config_.out);
            result_.adapterFolder = config_.out;
            result_.status = TrainingStatus::Cancelled;
            result_.reason = "cancelled at step " + std::to_string(step_);
        } else {
            if (!dataset_.validation.empty() && lastEvalStep_ != step_) {
                EvalMetrics metrics = evaluate();
                maybeImprove(metrics);
                result_.lastEval = metrics;
                observer_.onEval(metrics);
            }
            if (config_.checkpointEvery > 0 && step_ % config_.checkpointEvery != 0) saveCheckpoint();
            if (config_.keepBest && bestMetric_ && bestStep_ != step_) {
                torch::NoGradGuard noGrad;
                if (bestValues_.size() == parameters_.size()) {
                    for (size_t i = 0; i < parameters_.size(); ++i) parameters_[i].copy_(bestValues_[i]);
                    log(LogLevel::Info, "keeping the best adapter by " + bestMetricName_ + " (step " + std::to_string(bestStep_) + ")");
                }
            }
            peft::saveAdapter(*adapter_, config_.out);
            result_.adapterFolder = config_.out;
            observer_.onArtifact("adapter", config_.out, step_);
            result_.status = TrainingStatus::Finished;
            result_.reason = finishReason;
        }
    } catch (const std::bad_alloc&) {
        result_.status = TrainingStatus::Failed;
        result_.reason = "out of memory at step " + std::to_string(step_ + 1) + " with batch size " +
                         std::to_string(config_.batchSize) + " and max length " + std::to_string(config_.maxLength) +
                         ": lower --batch-size (use --gradient-accumulation to keep the effective batch) or --max-length";
    } catch (const std::exception& error) {
        result_.status = TrainingStatus::Failed;
        // LibTorch's errors carry a C++ backtrace in what(): the user gets the message.
        const auto* torchError = dynamic_cast<const c10::Error*>(&error);
        const std::string what = torchError ? torchError->what_without_backtrace() : std::string(error.what());
        result_.reason = what;
        if (isOutOfMemory(error))
            result_.reason = "out of memory at step " + std::to_string(step_ + 1) + " with batch size " +
                             std::to_string(config_.batchSize) + " and max length " + std::to_string(config_.maxLength) +
                             ": lower --batch-size (use --gradient-accumulation to keep the effective batch) or --max-length";
        else if (!dynamic_cast<const RunFailure*>(&error))
            result_.reason = "training failed at step " + std::to_string(step_ + 1) + ": " + what +
                             lastCheckpointNote() +
                             diskFullHint(what);
    }
    result_.steps = step_;
    result_.bestMetric = bestMetric_;
    result_.bestMetricName = bestMetricName_;
    try {
        status(result_.status, result_.reason);
    } catch (const std::exception&) {
        // An observer that cannot take the final status (its disk is full) does not change the
        // run's outcome, which the result carries.
    }
    return result_;
}

}  // namespace

bool cpuHasNativeBfloat16() {
    static const bool has = [] {
        std::ifstream cpuinfo("/proc/cpuinfo");
        std::string line;
        while (std::getline(cpuinfo, line))
            if (line.rfind("flags", 0) == 0)
                return line.find("avx512_bf16") != std::string::npos || line.find("amx_bf16") != std::string::npos;
        return false;
    }();
    return has;
}

std::string resolveComputeDtype(const std::string& requested, bool cuda, int cudaDevice) {
    if (requested != "auto" && !requested.empty()) return model::computeDtypeName(model::parseComputeDtype(requested));
    if (cuda) {
        // bfloat16 needs compute capability 8.0 (Ampere) or newer; older GPUs train in float16.
        // Unknown (the CUDA runtime's symbols were not found) keeps bfloat16.
        const int major = cudaComputeCapabilityMajor(cudaDevice);
        return major >= 0 && major < 8 ? "float16" : "bfloat16";
    }
    return cpuHasNativeBfloat16() ? "bfloat16" : "float32";
}

TrainingResult Trainer::run(const TrainingConfig& config, TrainingObserver& observer, TrainingControl* control) {
    Run run(config, observer, control);
    return run.execute();
}

}  // namespace capsule::train
