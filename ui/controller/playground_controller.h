#pragma once
// The playground's engine: a base model (a folder or the built-in demo) plus an optional adapter
// (ours or one HF PEFT wrote), loaded through the same core calls capsule-cli generate uses
// (model::loadModel, peft::loadAdapter, model::generate). For one prompt it generates with the
// base model and then with the adapter, with the same seed and sampling settings, and scores
// given choices with the trainer's rank classification (the T-Few length-normalised
// log-likelihood of each choice after the prompt rendered as a multiple-choice context).
//
// Threads: every public function and signal belongs to the GUI thread. Each job (load, generate,
// score) runs on its own worker thread, one at a time; the model is only touched by that thread.
// Generated text is buffered by the worker and flushed by a GUI-thread timer every
// `flushIntervalMs` (at most ~30 textArrived signals a second). The destructor cancels and joins.
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>

class QTimer;

namespace capsule::ui {

/// The two sides of the playground.
enum class PlaygroundSide { Base = 0, Adapter = 1 };

/// Sampling settings shared by both sides (model::GenerationOptions as Qt values).
struct SamplingSettings {
    int maxNewTokens = 32;
    bool greedy = false;         // true: argmax, temperature ignored
    double temperature = 0.8;    // > 0 when not greedy
    int topK = 0;                // 0: off
    double topP = 1.0;           // (0, 1]; 1: off
    quint64 seed = 0;
    bool stopAtEndOfText = true; // false: the model's EOS does not stop generation
};

/// What load() loaded.
struct PlaygroundModelInfo {
    QString modelFolder;
    QString modelType;           // "gpt2", "llama", ...
    qint64 parameterCount = 0;
    QString adapterFolder;       // empty: base model only
    QString adapterType;         // peft_type, e.g. "LORA"
    QString device;              // "cpu", "cuda:0"
    QStringList warnings;        // unknown adapter_config keys and the like
};

/// One side's finished generation.
struct SideOutput {
    QString text;                // the decoded continuation (special tokens skipped)
    QVector<qint64> tokenIds;    // the new tokens
    double tokensPerSecond = 0;  // decode rate (after the prompt)
    QString stopReason;          // "eos", "max_new_tokens", "callback", "context_full"
};

struct GenerationOutcome {
    SideOutput base;
    SideOutput adapter;          // empty when no adapter is loaded
    bool hasAdapter = false;
    bool cancelled = false;
    int promptTokens = 0;
};

/// One choice's rank-classification result. logLikelihood is the length-normalised summed log
/// probability of the choice's tokens (higher is better); probability is its softmax over the
/// choices (the choices of one side sum to 1).
struct ChoiceScore {
    QString choice;
    double baseLogLikelihood = 0;
    double baseProbability = 0;
    double adapterLogLikelihood = 0;
    double adapterProbability = 0;
};

class PlaygroundController : public QObject {
    Q_OBJECT
public:
    static constexpr int flushIntervalMs = 34;

    explicit PlaygroundController(QObject* parent = nullptr);
    /// Cancels a running generation and joins the worker.
    ~PlaygroundController() override;

    /// Loads `modelFolder` (empty: the built-in demo model, made first when it is not shipped) and,
    /// when not empty, `adapterFolder`, on a worker thread. loaded() or failed() follows; the
    /// previous model stays usable until the new one is ready. Returns false while a job runs.
    bool load(const QString& modelFolder, const QString& adapterFolder = {});
    /// Generates a continuation of `prompt` with the base model, then with the adapter (when
    /// loaded), same settings and seed. textArrived() streams, generationFinished() ends it.
    /// Returns false (nothing starts) while a job runs or before a model is loaded.
    bool generate(const QString& prompt, const SamplingSettings& settings);
    /// Scores each of `choices` as the answer to `prompt` for base and adapter; choicesScored()
    /// or failed() follows. `lengthNorm` is the trainer's λ (1: mean log-probability per token).
    bool scoreChoices(const QString& prompt, const QStringList& choices, double lengthNorm = 1.0);
    /// Stops a generation after the current token (generationFinished() still follows, with
    /// cancelled set).
    void stop();

    bool isBusy() const { return busy_; }
    bool isLoaded() const;
    bool hasAdapter() const;
    const PlaygroundModelInfo& modelInfo() const { return info_; }
    /// How many textArrived signals were emitted (for tests and tuning).
    int flushCount() const { return flushCount_; }
    /// Delivers buffered text now (the timer calls this).
    void flush();
    /// Called on the worker thread with every generated token (tests use it to slow generation
    /// down and watch the streaming). Set it while no job runs.
    using TokenObserver = std::function<void(PlaygroundSide side, int64_t tokenId)>;
    void setTokenObserver(TokenObserver observer) { tokenObserver_ = std::move(observer); }

    /// The model folder the demo uses (shipped, or made in the demo cache on first use); "" when
    /// not made yet. Cheap.
    static QString bundledDemoModelFolder();

Q_SIGNALS:
    void loaded(const capsule::ui::PlaygroundModelInfo& info);
    /// A job failed; `message` names the file / tensor / option at fault.
    void failed(const QString& message);
    /// New text for one side since the previous signal (batched, queued).
    void textArrived(capsule::ui::PlaygroundSide side, const QString& text);
    void generationFinished(const capsule::ui::GenerationOutcome& outcome);
    void choicesScored(const QVector<capsule::ui::ChoiceScore>& scores);
    void busyChanged(bool busy);

public:
    struct Session;  // tokenizer, model and adapter (implementation detail)
    struct Inbox;    // text the worker buffered

private:
    template <typename Job>
    bool startJob(Job job);
    void finishJob();
    void setBusy(bool busy);

    std::shared_ptr<Session> session_;
    std::shared_ptr<Inbox> inbox_;
    std::shared_ptr<std::atomic<bool>> cancel_;
    std::thread worker_;
    QTimer* flushTimer_ = nullptr;
    PlaygroundModelInfo info_;
    TokenObserver tokenObserver_;
    bool busy_ = false;
    int flushCount_ = 0;
};

}  // namespace capsule::ui

Q_DECLARE_METATYPE(capsule::ui::PlaygroundSide)
Q_DECLARE_METATYPE(capsule::ui::PlaygroundModelInfo)
Q_DECLARE_METATYPE(capsule::ui::GenerationOutcome)
Q_DECLARE_METATYPE(capsule::ui::ChoiceScore)
