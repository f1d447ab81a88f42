#include "controller/playground_controller.h"

#include "data/batcher.h"
#include "data/dataset_loader.h"
#include "data/example_builder.h"
#include "data/record_content.h"
#include "model/generation.h"
#include "model/model_loader.h"
#include "peft/adapter.h"
#include "peft/multiple_choice.h"
#include "peft/tfew_losses.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/text_streamer.h"
#include "tokenizer/tokenizer.h"
#include "train/demo_assets.h"

#include <QDir>
#include <QFileInfo>
#include <QTimer>

#include <mutex>
#include <optional>
#include <stdexcept>

namespace capsule::ui {

struct PlaygroundController::Session {
    std::unique_ptr<tokenizer::Tokenizer> tokenizer;
    std::optional<tokenizer::ChatTemplate> modelTemplate;
    std::shared_ptr<model::CausalLM> model;
    std::unique_ptr<peft::AdapterMethod> adapter;  // declared after the model: destroyed first
    std::vector<int64_t> stopTokenIds;
    int64_t padId = 0;
};

struct PlaygroundController::Inbox {
    std::mutex mutex;
    QString pending[2];  // by PlaygroundSide

    void append(PlaygroundSide side, const std::string& text) {
        if (text.empty()) return;
        std::lock_guard<std::mutex> lock(mutex);
        pending[static_cast<int>(side)] += QString::fromStdString(text);
    }
};

namespace {

/// One line for any exception: LibTorch's what() carries a multi-line backtrace.
QString describe(const std::exception& error) {
    if (const auto* torchError = dynamic_cast<const c10::Error*>(&error))
        return QString::fromStdString(torchError->what_without_backtrace());
    return QString::fromStdString(error.what());
}

std::shared_ptr<PlaygroundController::Session> loadSession(const std::string& modelFolder,
                                                           const std::string& adapterFolder,
                                                           PlaygroundModelInfo& info) {
    auto session = std::make_shared<PlaygroundController::Session>();
    session->tokenizer = std::make_unique<tokenizer::Tokenizer>(tokenizer::Tokenizer::fromDirectory(modelFolder));
    try {
        session->modelTemplate = tokenizer::ChatTemplate::fromDirectory(modelFolder, session->tokenizer->specialTokens());
    } catch (const std::exception& error) {
        // The trainer ignores a malformed template the same way (plain format).
        info.warnings << PlaygroundController::tr("model chat template ignored: %1").arg(describe(error));
    }
    session->model = model::loadModel(modelFolder);
    if (!adapterFolder.empty()) {
        peft::AdapterLoadOptions options;
        options.onWarning = [&info](const std::string& warning) { info.warnings << QString::fromStdString(warning); };
        session->adapter = peft::loadAdapter(*session->model, adapterFolder, options);
        info.adapterType = QString::fromStdString(session->adapter->peftType());
    }
    session->stopTokenIds =
        tokenizer::mergeStopTokenIds(session->model->config().eosTokenIds, session->tokenizer->specialTokens());
    session->padId = data::padIdFor(session->tokenizer->specialTokens());
    info.modelFolder = QString::fromStdString(modelFolder);
    info.adapterFolder = QString::fromStdString(adapterFolder);
    info.modelType = QString::fromStdString(session->model->config().modelType);
    info.parameterCount = model::countParameters(*session->model);
    const auto parameters = session->model->parameters();
    info.device = parameters.empty() ? QStringLiteral("cpu") : QString::fromStdString(parameters.front().device().str());
    return session;
}

SideOutput generateSide(PlaygroundController::Session& session, const std::vector<int64_t>& promptIds,
                        const model::GenerationOptions& options, PlaygroundSide side, PlaygroundController::Inbox& inbox,
                        const std::atomic<bool>& cancel, const PlaygroundController::TokenObserver& observer) {
    tokenizer::TextStreamer streamer(*session.tokenizer);
    const model::TokenCallback onToken = [&](int64_t token) {
        if (observer) observer(side, token);
        inbox.append(side, streamer.add(token));
        return !cancel.load();
    };
    model::GenerationResult result;
    if (side == PlaygroundSide::Base && session.adapter) {
        // The base model: weight adapters switched off, prompt-learning hooks left out.
        peft::AdapterDisabledScope disabled(*session.adapter);
        result = model::generate(*session.model, promptIds, options, onToken);
    } else {
        result = model::generate(*session.model, promptIds, options, onToken,
                                 session.adapter ? session.adapter->generationHooks() : model::GenerationHooks{});
    }
    inbox.append(side, streamer.finish());
    SideOutput output;
    output.text = QString::fromStdString(session.tokenizer->decode(result.tokens, /*skipSpecialTokens=*/true));
    for (const int64_t token : result.tokens) output.tokenIds.push_back(token);
    output.tokensPerSecond =
        result.decodeSeconds > 0 ? static_cast<double>(result.tokens.size()) / result.decodeSeconds : 0.0;
    output.stopReason = QString::fromStdString(model::stopReasonName(result.stopReason));
    return output;
}

/// Log-likelihood (higher is better) and softmax probability of each choice, [N] each.
std::pair<std::vector<double>, std::vector<double>> scoreSide(PlaygroundController::Session& session,
                                                              const peft::MultipleChoiceExample& example,
                                                              double lengthNorm, bool withAdapter) {
    torch::NoGradGuard noGrad;
    std::optional<peft::AdapterDisabledScope> disabled;
    if (!withAdapter && session.adapter) disabled.emplace(*session.adapter);
    peft::AdapterMethod* adapter = withAdapter ? session.adapter.get() : nullptr;
    const peft::ChoiceLogLikelihoods scored =
        peft::scoreChoices(*session.model, adapter, {example}, lengthNorm, session.padId);
    // The trainer's rank classification picks the lowest score (a negative log-likelihood).
    const torch::Tensor scores =
        peft::lengthNormalizedScores(scored.tokenLogProbabilities, scored.tokenMask, lengthNorm);  // [1, N]
    const torch::Tensor logLikelihood = (-scores[0]).to(torch::kCPU, torch::kDouble).contiguous();  // [N]
    const torch::Tensor probability = torch::softmax(logLikelihood, 0).contiguous();               // [N]
    const auto* ll = logLikelihood.data_ptr<double>();
    const auto* p = probability.data_ptr<double>();
    const auto count = static_cast<size_t>(logLikelihood.size(0));
    return {std::vector<double>(ll, ll + count), std::vector<double>(p, p + count)};
}

}  // namespace

PlaygroundController::PlaygroundController(QObject* parent)
    : QObject(parent), inbox_(std::make_shared<Inbox>()), cancel_(std::make_shared<std::atomic<bool>>(false)) {
    qRegisterMetaType<PlaygroundSide>();
    qRegisterMetaType<PlaygroundModelInfo>();
    qRegisterMetaType<GenerationOutcome>();
    qRegisterMetaType<ChoiceScore>();
    qRegisterMetaType<QVector<ChoiceScore>>();
    flushTimer_ = new QTimer(this);
    flushTimer_->setTimerType(Qt::PreciseTimer);
    flushTimer_->setInterval(flushIntervalMs);
    connect(flushTimer_, &QTimer::timeout, this, &PlaygroundController::flush);
}

PlaygroundController::~PlaygroundController() {
    cancel_->store(true);
    if (worker_.joinable()) worker_.join();
}

bool PlaygroundController::isLoaded() const { return session_ != nullptr; }

bool PlaygroundController::hasAdapter() const { return session_ && session_->adapter; }

QString PlaygroundController::bundledDemoModelFolder() {
    const std::string shipped = train::bundledDemoModelFolder();
    if (!shipped.empty()) return QString::fromStdString(shipped);
    const QString made = QDir(QString::fromStdString(train::defaultDemoFolder())).filePath(QStringLiteral("model"));
    return QFileInfo::exists(QDir(made).filePath(QStringLiteral("model.safetensors"))) ? made : QString();
}

template <typename Job>
bool PlaygroundController::startJob(Job job) {
    if (busy_) return false;
    if (worker_.joinable()) worker_.join();
    cancel_->store(false);
    setBusy(true);
    worker_ = std::thread(std::move(job));
    return true;
}

void PlaygroundController::finishJob() {
    if (worker_.joinable()) worker_.join();
    flush();
    setBusy(false);
}

void PlaygroundController::setBusy(bool busy) {
    if (busy_ == busy) return;
    busy_ = busy;
    if (busy) flushTimer_->start();
    else flushTimer_->stop();
    Q_EMIT busyChanged(busy);
}

void PlaygroundController::flush() {
    QString pending[2];
    {
        std::lock_guard<std::mutex> lock(inbox_->mutex);
        for (int side = 0; side < 2; ++side) pending[side].swap(inbox_->pending[side]);
    }
    bool emitted = false;
    for (int side = 0; side < 2; ++side) {
        if (pending[side].isEmpty()) continue;
        Q_EMIT textArrived(static_cast<PlaygroundSide>(side), pending[side]);
        emitted = true;
    }
    if (emitted) ++flushCount_;
}

bool PlaygroundController::load(const QString& modelFolder, const QString& adapterFolder) {
    const std::string model = modelFolder.trimmed().toStdString();
    const std::string adapter = adapterFolder.trimmed().toStdString();
    return startJob([this, model, adapter] {
        PlaygroundModelInfo info;
        std::shared_ptr<Session> session;
        QString error;
        try {
            std::string folder = model;
            if (folder.empty()) {
                folder = train::bundledDemoModelFolder();
                if (folder.empty()) folder = train::ensureDemoAssets(train::defaultDemoFolder()).modelFolder;
            }
            session = loadSession(folder, adapter, info);
        } catch (const std::exception& exception) {
            error = describe(exception);
        }
        QMetaObject::invokeMethod(this, [this, session, info, error] {
            finishJob();
            if (!session) {
                Q_EMIT failed(error);
                return;
            }
            session_ = session;
            info_ = info;
            Q_EMIT loaded(info);
        }, Qt::QueuedConnection);
    });
}

bool PlaygroundController::generate(const QString& prompt, const SamplingSettings& settings) {
    if (!session_) return false;
    model::GenerationOptions options;
    options.maxNewTokens = std::max(0, settings.maxNewTokens);
    options.temperature = settings.greedy ? 0.0 : std::max(0.0, settings.temperature);
    options.topK = std::max(0, settings.topK);
    options.topP = settings.topP > 0.0 && settings.topP <= 1.0 ? settings.topP : 1.0;
    options.seed = settings.seed;
    if (settings.stopAtEndOfText) options.eosTokenIds = session_->stopTokenIds;
    const std::string text = prompt.toStdString();
    {
        std::lock_guard<std::mutex> lock(inbox_->mutex);
        inbox_->pending[0].clear();
        inbox_->pending[1].clear();
    }
    return startJob([this, session = session_, inbox = inbox_, cancel = cancel_, options, text,
                     observer = tokenObserver_] {
        GenerationOutcome outcome;
        QString error;
        try {
            const std::vector<int64_t> promptIds = session->tokenizer->encode(text, /*addSpecialTokens=*/true);
            if (promptIds.empty()) throw std::runtime_error("the prompt encodes to no tokens");
            outcome.promptTokens = static_cast<int>(promptIds.size());
            outcome.base = generateSide(*session, promptIds, options, PlaygroundSide::Base, *inbox, *cancel, observer);
            outcome.hasAdapter = session->adapter != nullptr;
            if (outcome.hasAdapter && !cancel->load())
                outcome.adapter = generateSide(*session, promptIds, options, PlaygroundSide::Adapter, *inbox, *cancel,
                                              observer);
            outcome.cancelled = cancel->load();
        } catch (const std::exception& exception) {
            error = describe(exception);
        }
        QMetaObject::invokeMethod(this, [this, outcome, error] {
            finishJob();
            if (!error.isEmpty()) Q_EMIT failed(error);
            else Q_EMIT generationFinished(outcome);
        }, Qt::QueuedConnection);
    });
}

bool PlaygroundController::scoreChoices(const QString& prompt, const QStringList& choices, double lengthNorm) {
    if (!session_) return false;
    data::RecordContent content;
    content.question = prompt.toStdString();
    for (const QString& choice : choices)
        if (!choice.trimmed().isEmpty()) content.choices.push_back(choice.trimmed().toStdString());
    content.answerIndex = 0;
    return startJob([this, session = session_, content, lengthNorm] {
        QVector<ChoiceScore> scores;
        QString error;
        try {
            if (content.choices.size() < 2) throw std::invalid_argument("give at least two choices, one per line");
            // The context and choices exactly as the trainer's evaluation builds them for
            // multiple-choice rows (template chosen the same way, no truncation).
            data::DatasetOptions options;
            const tokenizer::ChatTemplate chatTemplate = data::chooseTemplate(
                options, data::DatasetFormat::MultipleChoice, session->modelTemplate, session->tokenizer->specialTokens());
            const data::ExampleBuilder builder(*session->tokenizer, chatTemplate, data::DatasetFormat::MultipleChoice, 0);
            const data::Example built = builder.build(content);
            const peft::MultipleChoiceExample example{built.contextIds, built.choiceIds};
            const auto base = scoreSide(*session, example, lengthNorm, false);
            const auto adapted = session->adapter ? scoreSide(*session, example, lengthNorm, true) : base;
            for (size_t i = 0; i < content.choices.size(); ++i) {
                ChoiceScore score;
                score.choice = QString::fromStdString(content.choices[i]);
                score.baseLogLikelihood = base.first[i];
                score.baseProbability = base.second[i];
                score.adapterLogLikelihood = adapted.first[i];
                score.adapterProbability = adapted.second[i];
                scores.push_back(score);
            }
        } catch (const std::exception& exception) {
            error = describe(exception);
        }
        QMetaObject::invokeMethod(this, [this, scores, error] {
            finishJob();
            if (!error.isEmpty()) Q_EMIT failed(error);
            else Q_EMIT choicesScored(scores);
        }, Qt::QueuedConnection);
    });
}

void PlaygroundController::stop() { cancel_->store(true); }

}  // namespace capsule::ui
