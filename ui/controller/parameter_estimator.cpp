#include "controller/parameter_estimator.h"

#include "io/checkpoint_reader.h"
#include "model/model_config.h"
#include "model/model_loader.h"
#include "model/model_registry.h"
#include "peft/parameter_count.h"
#include "tokenizer/tokenizer.h"
#include "train/demo_assets.h"
#include "train/memory_estimate.h"
#include "train/method_factory.h"
#include "train/trainer.h"

#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QTimer>

#include <torch/torch.h>

#include <stdexcept>

#include <unistd.h>

namespace capsule::ui {
namespace {

bool hasConfig(const QString& folder) {
    return !folder.isEmpty() && QFileInfo(QDir(folder).filePath(QStringLiteral("config.json"))).isFile();
}

/// config.json as the loader reads it: a Llama-family config that leaves tie_word_embeddings unset
/// is tied when the checkpoint has no lm_head.weight (only the safetensors headers are read).
model::ModelConfig readModelConfig(const std::string& folder) {
    try {
        const io::CheckpointReader checkpoint(folder);
        return model::effectiveModelConfig(folder, checkpoint);
    } catch (const std::exception&) {
        return model::loadModelConfig(folder);  // no (readable) weights: config.json alone
    }
}

QString counted(qint64 value) {
    return QString::fromStdString(peft::withThousandsSeparators(value));
}

QString bytesText(qint64 bytes) {
    return QString::fromStdString(train::formatBytes(bytes));
}

qint64 physicalMemoryBytes() {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && pageSize > 0 ? static_cast<qint64>(pages) * pageSize : 0;
}

QString modelSummaryOf(const model::ModelConfig& config) {
    return QObject::tr("%1 · %2 layers · hidden %3 · %4 heads · vocab %5 · context %6")
        .arg(QString::fromStdString(config.modelType))
        .arg(config.numHiddenLayers)
        .arg(counted(config.hiddenSize))
        .arg(config.numAttentionHeads)
        .arg(counted(config.vocabSize), counted(config.maxPositionEmbeddings));
}

bool methodUsesTargetModules(const std::string& method) {
    return method == "lora" || method == "adalora" || method == "ia3" || method == "t-few";
}

/// The linear layers of `model` after the adapter was applied (or before: nothing targeted).
QVector<ModuleEstimate> linearModules(model::CausalLM& model) {
    QVector<ModuleEstimate> modules;
    for (auto& [name, linear] : model.namedLinears()) {
        ModuleEstimate module;
        module.name = QString::fromStdString(name);
        module.inFeatures = linear->inFeatures();
        module.outFeatures = linear->outFeatures();
        module.targeted = linear->adapter != nullptr;
        for (const auto& parameter : linear->parameters(/*recurse=*/true))
            if (parameter.requires_grad()) module.trainable += parameter.numel();
        modules.push_back(module);
    }
    return modules;
}

/// The memory part of `estimate` for `config`'s batch, length, dtype and device.
void estimateMemory(ParameterEstimate& estimate, const model::ModelConfig& modelConfig,
                    const train::TrainingConfig& config) {
    bool cuda = false;
    if (config.device == "auto") cuda = torch::cuda::is_available();
    else cuda = config.device.rfind("cuda", 0) == 0;
    const std::string dtype = train::resolveComputeDtype(config.dtype, cuda);
    int64_t length = config.maxLength;
    // Prompt and P-tuning put their virtual tokens in front of every row.
    if (config.method == "prompt-tuning" || config.method == "p-tuning") length += config.numVirtualTokens;
    const train::MemoryEstimate memory = train::estimateTrainingMemory(
        modelConfig, estimate.all - estimate.trainable, estimate.trainable, config.batchSize, length, dtype);
    estimate.weightBytes = memory.weightBytes;
    estimate.adapterBytes = memory.adapterBytes;
    estimate.activationBytes = memory.activationBytes;
    estimate.logitsBytes = memory.logitsBytes;
    estimate.computeDtype = QString::fromStdString(dtype);
    estimate.deviceName = cuda ? QStringLiteral("CUDA") : QStringLiteral("CPU");
    estimate.availableBytes = cuda ? 0 : physicalMemoryBytes();
}

}  // namespace

QString ParameterEstimate::text() const {
    if (!valid) return QObject::tr("trainable parameters: n/a (%1)").arg(problem);
    const double percent = all > 0 ? 100.0 * static_cast<double>(trainable) / static_cast<double>(all) : 0.0;
    return QObject::tr("trainable %1 of %2 (%3 %)").arg(counted(trainable), counted(all), QString::number(percent, 'f', 2));
}

QString ParameterEstimate::memoryText() const {
    if (!valid) return {};
    QString text = QObject::tr("≈ %1 on %2 (%3): weights %4 · adapter + AdamW %5 · activations %6 · logits %7")
                       .arg(bytesText(totalBytes()), deviceName, computeDtype, bytesText(weightBytes),
                            bytesText(adapterBytes), bytesText(activationBytes), bytesText(logitsBytes));
    if (exceedsAvailableMemory())
        text += QObject::tr(" — more than this machine's %1 of RAM: lower the batch size or max length").arg(bytesText(availableBytes));
    return text;
}

QString demoModelFolderForEstimate() {
    const QString shipped = QString::fromStdString(train::bundledDemoModelFolder());
    if (hasConfig(shipped)) return shipped;
    const QString made = QDir(QString::fromStdString(train::defaultDemoFolder())).filePath(QStringLiteral("model"));
    return hasConfig(made) ? made : QString();
}

ParameterEstimate estimateTrainableParameters(const train::TrainingConfig& config) {
    ParameterEstimate estimate;
    const QString folder = config.model.empty() ? demoModelFolderForEstimate() : QString::fromStdString(config.model);
    if (folder.isEmpty()) {
        estimate.problem = QObject::tr("the demo model is made on the first Start");
        return estimate;
    }
    if (!hasConfig(folder)) {
        estimate.problem = QObject::tr("no config.json in %1").arg(QDir::toNativeSeparators(folder));
        return estimate;
    }
    model::ModelConfig modelConfig;
    try {
        modelConfig = readModelConfig(folder.toStdString());
    } catch (const std::exception& problem) {
        estimate.problem = QString::fromStdString(problem.what());
        return estimate;
    }

    estimate.modelSummary = modelSummaryOf(modelConfig);
    if (config.device.rfind("cuda", 0) == 0 && !torch::cuda::is_available()) {
        estimate.problem = QObject::tr("device %1 asked for, but LibTorch sees no CUDA GPU here; choose CPU or auto")
                               .arg(QString::fromStdString(config.device));
        estimate.invalidSettings = true;
        return estimate;
    }
    estimate.usesTargetModules = methodUsesTargetModules(config.method);

    train::TrainingConfig options = config;
    options.model = folder.toStdString();
    // The count does not depend on the init text, and the estimate loads no tokenizer (a large
    // tokenizer.json takes longer to parse than the whole estimate): the tokenizer handed to
    // createAdapter is never read unless the init is TEXT.
    if (options.method == "prompt-tuning" && options.promptTuningInit == "TEXT" && options.promptTuningInitText.empty()) {
        estimate.problem = QObject::tr("option --prompt-tuning-init-text is required with --prompt-tuning-init TEXT");
        estimate.invalidSettings = true;
        return estimate;
    }
    options.promptTuningInit = "RANDOM";
    const tokenizer::Tokenizer unusedTokenizer(nullptr);
    // AdaLoRA checks its schedule against the total steps; with max steps 0 the epochs decide them
    // later, so any total after the schedule stands in here.
    const int64_t totalSteps = config.maxSteps > 0 ? config.maxSteps : config.tinit + config.tfinal + 1000;

    // The trainer's path: fresh adapter init (prompt encoders keep their training heads) on a
    // skeleton with frozen base weights. The meta device first: shapes only, no storage. Where an
    // init does not run on meta (a c10::Error from LibTorch), the CPU for models under
    // kCpuFallbackParameters (real storage). PEFT's own errors (std::invalid_argument from the
    // method's config, std::runtime_error from applying it: target modules the model lacks, ...)
    // are the setup's fault.
    constexpr int64_t kCpuFallbackParameters = 500'000'000;
    std::shared_ptr<model::CausalLM> skeleton;
    try {
        skeleton = model::buildModel(modelConfig, torch::TensorOptions().dtype(torch::kFloat).device(torch::kMeta));
    } catch (const std::exception& problem) {
        estimate.problem = QString::fromStdString(problem.what());
        return estimate;
    }
    const int64_t baseParameters = peft::countTrainableParameters(*skeleton).all;
    // Before the adapter: every linear untargeted, so a setup the method rejects still shows its tree.
    estimate.modules = linearModules(*skeleton);
    const auto count = [&](std::shared_ptr<model::CausalLM> model) {
        for (auto& parameter : model->parameters()) parameter.set_requires_grad(false);  // frozen, as loadModel
        std::unique_ptr<peft::AdapterMethod> adapter = train::createAdapter(options, modelConfig, unusedTokenizer, totalSteps);
        adapter->apply(*model, peft::WeightInit::Fresh);
        estimate.modules = linearModules(*model);
        return peft::countTrainableParameters(*model);
    };
    try {
        peft::ParameterCounts counts;
        try {
            counts = count(skeleton);
        } catch (const c10::Error& metaProblem) {
            if (baseParameters >= kCpuFallbackParameters) {
                estimate.problem = QObject::tr("not computable for this model on the meta device (%1)")
                                       .arg(QString::fromStdString(metaProblem.what_without_backtrace()));
                return estimate;
            }
            skeleton.reset();
            counts = count(model::buildModel(modelConfig, torch::TensorOptions().dtype(torch::kFloat).device(torch::kCPU)));
        }
        estimate.trainable = counts.trainable;
        estimate.all = counts.all;
        estimate.valid = true;
        estimateMemory(estimate, modelConfig, config);
    } catch (const c10::Error& problem) {
        estimate.problem = QString::fromStdString(problem.what_without_backtrace());
    } catch (const std::exception& problem) {
        estimate.problem = QString::fromStdString(problem.what());
        estimate.invalidSettings = true;
    }
    return estimate;
}

ParameterEstimator::ParameterEstimator(QObject* parent) : QObject(parent) {
    qRegisterMetaType<capsule::ui::ParameterEstimate>();
    debounce_ = new QTimer(this);
    debounce_->setSingleShot(true);
    debounce_->setInterval(debounceMs);
    connect(debounce_, &QTimer::timeout, this, &ParameterEstimator::startWorker);
}

ParameterEstimator::~ParameterEstimator() {
    if (worker_.joinable()) worker_.join();
}

void ParameterEstimator::request(const train::TrainingConfig& config) {
    next_ = config;
    pending_ = true;
    debounce_->start();  // restarts: the newest request wins
}

void ParameterEstimator::startWorker() {
    if (running_ || !pending_) return;  // onWorkerDone starts the newest one
    pending_ = false;
    running_ = true;
    if (worker_.joinable()) worker_.join();
    worker_ = std::thread([this, config = next_] {
        const ParameterEstimate estimate = estimateTrainableParameters(config);
        // Queued to the GUI thread; the destructor joins this thread first, so `this` outlives it.
        QMetaObject::invokeMethod(this, [this, estimate] { onWorkerDone(estimate); }, Qt::QueuedConnection);
    });
}

void ParameterEstimator::onWorkerDone(const ParameterEstimate& estimate) {
    running_ = false;
    if (worker_.joinable()) worker_.join();
    if (pending_) {
        // Settings changed while this one was computed: it is stale, compute the newest instead.
        if (!debounce_->isActive()) startWorker();
        return;
    }
    Q_EMIT estimated(estimate);
}

}  // namespace capsule::ui
