// The training loop end to end on the built-in demo model and task (the shipped pre-trained tiny
// GPT-2 in resources/demo/model, word-level tokenizer, two-choice sentiment): every method's loss
// falls and lifts the accuracy from chance, resume reproduces the loss sequence of an uninterrupted
// run exactly, pause and cancel act within one step, checkpoints are complete.
#include "train_test_support.h"

#include "store/run_store.h"
#include "train/checkpoint.h"
#include "train/demo_assets.h"
#include "train/store_observer.h"
#include "train/trainer.h"

#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <atomic>
#include <csignal>
#include <stdexcept>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

using namespace capsule;
using namespace capsule::train;
namespace fs = std::filesystem;

using test::DemoFixture;
using test::meanLoss;
using test::Recorder;

CAPSULE_TEST(every_method_trains_and_its_loss_falls) {
    DemoFixture fixture;
    for (const std::string& method : methodNames()) {
        TrainingConfig config = fixture.config(method, "out-" + method);
        test::applyEveryMethodSettings(config);
        Recorder recorder;
        const TrainingResult result = Trainer::run(config, recorder);
        if (result.status != TrainingStatus::Finished) std::printf("%s: %s\n", method.c_str(), result.reason.c_str());
        COMPARE(static_cast<int>(result.status), static_cast<int>(TrainingStatus::Finished));
        COMPARE(result.steps, int64_t{24});
        COMPARE(recorder.steps.size(), size_t{24});
        const double first = meanLoss(recorder.steps, 0, 4), last = meanLoss(recorder.steps, 20, 24);
        std::printf("%-14s loss %.4f -> %.4f, eval loss %.4f, accuracy %.3f\n", method.c_str(), first, last,
                    recorder.evals.back().loss, recorder.evals.back().accuracy.value_or(-1));
        VERIFY(last < first);
        VERIFY(fs::exists(config.out + "/adapter_config.json"));
        VERIFY(fs::exists(config.out + "/adapter_model.safetensors"));
        VERIFY(!recorder.evals.empty());
        VERIFY(recorder.evals.back().accuracy.has_value());
        VERIFY(recorder.steps.back().gradNorm > 0);
        VERIFY(recorder.steps.back().tokensPerSecond > 0);
        COMPARE(static_cast<int>(recorder.statuses.front().status), static_cast<int>(TrainingStatus::Started));
        if (method == "adalora") {
            COMPARE(recorder.ranks.size(), size_t{24});
            VERIFY(recorder.ranks.back().budget <= recorder.ranks.front().budget);
        }
    }
}

CAPSULE_TEST(every_method_lifts_the_demo_accuracy_from_chance) {
    // The README's promise: on the demo, each method beats chance (50 %) by far within a minute.
    test::TempDir dir;
    const DemoAssets assets = ensureDemoAssets(dir.path());
    COMPARE(assets.modelFolder, bundledDemoModelFolder());
    for (const std::string& method : methodNames()) {
        TrainingConfig config = demoTrainingConfig(assets, method, 100, dir.file("runs/" + method));
        config.threads = 1;
        Recorder recorder;
        const TrainingResult result = Trainer::run(config, recorder);
        COMPARE(static_cast<int>(result.status), static_cast<int>(TrainingStatus::Finished));
        COMPARE(recorder.evals.front().step, int64_t{0});  // the baseline before training
        const double before = recorder.evals.front().accuracy.value_or(-1);
        const double after = recorder.evals.back().accuracy.value_or(-1);
        std::printf("%-14s accuracy %.3f -> %.3f\n", method.c_str(), before, after);
        VERIFY(before < 0.65);
        VERIFY(after >= 0.9);
    }
}

CAPSULE_TEST(early_stopping_ends_the_run_and_the_best_adapter_is_kept) {
    test::TempDir dir;
    const DemoAssets assets = ensureDemoAssets(dir.path());
    TrainingConfig config = demoTrainingConfig(assets, "lora", 300, dir.file("early"));
    config.evalEvery = 10;
    config.earlyStoppingPatience = 2;
    config.threads = 1;
    Recorder recorder;
    const TrainingResult result = Trainer::run(config, recorder);
    COMPARE(static_cast<int>(result.status), static_cast<int>(TrainingStatus::Finished));
    std::printf("stopped at step %lld: %s (best %s %.3f)\n", static_cast<long long>(result.steps), result.reason.c_str(),
                result.bestMetricName.c_str(), result.bestMetric.value_or(-1));
    VERIFY(result.steps < 300);
    VERIFY(result.reason.find("early stopping") != std::string::npos);
    COMPARE(result.bestMetricName, std::string("accuracy"));
    // Two evaluations after the best one, none better.
    size_t best = 0;
    for (size_t i = 1; i < recorder.evals.size(); ++i)
        if (recorder.evals[i].improved) best = i;
    COMPARE(recorder.evals.size() - 1 - best, size_t{2});
    COMPARE(recorder.evals.back().step, result.steps);
    // keep_best: the final adapter holds the best evaluation's values, byte for byte.
    COMPARE(test::readFile(config.out + "/adapter_model.safetensors"),
            test::readFile(config.out + "/best/adapter_model.safetensors"));
}

CAPSULE_TEST(pause_holds_the_run_between_steps_and_resume_continues) {
    DemoFixture fixture;
    TrainingConfig config = fixture.config("lora", "pause");
    config.maxSteps = 8;
    TrainingControl control;
    Recorder recorder;
    std::atomic<int64_t> stepsDone{0};
    recorder.onEachStep = [&](const StepMetrics& metrics) {
        stepsDone = metrics.step;
        if (metrics.step == 3) control.requestPause();
    };
    int64_t stepsWhilePaused = -1;
    std::thread resumer([&] {
        while (stepsDone.load() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
        stepsWhilePaused = stepsDone.load();
        control.resume();
    });
    const TrainingResult result = Trainer::run(config, recorder, &control);
    resumer.join();
    COMPARE(static_cast<int>(result.status), static_cast<int>(TrainingStatus::Finished));
    COMPARE(stepsWhilePaused, int64_t{3});
    COMPARE(result.steps, int64_t{8});
    bool paused = false, resumed = false;
    for (const StatusChange& change : recorder.statuses) {
        paused = paused || change.status == TrainingStatus::Paused;
        resumed = resumed || change.status == TrainingStatus::Resumed;
    }
    VERIFY(paused);
    VERIFY(resumed);
}

CAPSULE_TEST(resume_reproduces_the_uninterrupted_loss_sequence) {
    DemoFixture fixture;
    TrainingConfig config = fixture.config("lora", "full");
    config.maxSteps = 12;
    config.loraDropout = 0.1;  // the RNG state must be restored too
    config.schedule = "linear";
    config.warmupSteps = 2;
    config.lr = 3e-3;
    Recorder full;
    COMPARE(static_cast<int>(Trainer::run(config, full).status), static_cast<int>(TrainingStatus::Finished));

    TrainingConfig first = config;
    first.out = fixture.dir.file("split");
    first.maxSteps = 12;
    first.checkpointEvery = 5;
    Recorder ignored;
    COMPARE(static_cast<int>(Trainer::run(first, ignored).status), static_cast<int>(TrainingStatus::Finished));
    const std::string checkpoint = checkpointFolder(first.out, 5);
    VERIFY(fs::exists(checkpoint + "/trainer_state.json"));
    VERIFY(fs::exists(checkpoint + "/adapter/adapter_model.safetensors"));
    COMPARE(readCheckpointState(checkpoint).step, int64_t{5});

    TrainingConfig resume;
    resume.resume = checkpoint;
    Recorder resumed;
    const TrainingResult result = Trainer::run(resume, resumed);
    COMPARE(static_cast<int>(result.status), static_cast<int>(TrainingStatus::Finished));
    COMPARE(resumed.steps.size(), size_t{7});
    // Resuming never unfreezes the base model: exactly the adapter's parameters train.
    COMPARE(resumed.infos.at(0).trainableParameters, full.infos.at(0).trainableParameters);
    COMPARE(resumed.infos.at(0).startStep, int64_t{5});
    VERIFY(resumed.infos.at(0).trainableParameters < resumed.infos.at(0).totalParameters / 10);
    for (size_t i = 0; i < resumed.steps.size(); ++i) {
        COMPARE(resumed.steps[i].step, full.steps[i + 5].step);
        COMPARE(resumed.steps[i].loss, full.steps[i + 5].loss);  // bit-exact on the CPU
        COMPARE(resumed.steps[i].lr, full.steps[i + 5].lr);
    }

    // Extending the budget continues past the original max steps.
    TrainingConfig extend;
    extend.resume = checkpointFolder(first.out, 12);
    extend.maxSteps = 15;
    Recorder extended;
    const TrainingResult more = Trainer::run(extend, extended);
    COMPARE(static_cast<int>(more.status), static_cast<int>(TrainingStatus::Finished));
    COMPARE(more.steps, int64_t{15});
    COMPARE(extended.steps.size(), size_t{3});

    // A resumed run reports the best eval its checkpoint carried, before any new evaluation.
    const CheckpointState atTwelve = readCheckpointState(checkpointFolder(first.out, 12));
    VERIFY(atTwelve.bestMetric.has_value());
    COMPARE(extended.infos.at(0).resumedFrom, checkpointFolder(first.out, 12));
    VERIFY(extended.infos.at(0).bestMetric.has_value());
    COMPARE(*extended.infos.at(0).bestMetric, *atTwelve.bestMetric);
    COMPARE(extended.infos.at(0).bestMetricName, atTwelve.bestMetricName);
    COMPARE(extended.infos.at(0).bestStep, atTwelve.bestStep);
    VERIFY(!resumed.infos.at(0).bestMetric.has_value());  // step 5 came before the only evaluation
    VERIFY(full.infos.at(0).resumedFrom.empty());

    TrainingConfig exhausted;
    exhausted.resume = checkpointFolder(first.out, 12);
    Recorder refused;
    const TrainingResult none = Trainer::run(exhausted, refused);
    COMPARE(static_cast<int>(none.status), static_cast<int>(TrainingStatus::Failed));
    VERIFY(none.reason.find("--max-steps") != std::string::npos);
}

CAPSULE_TEST(a_resumed_run_continues_its_own_store_row_as_one_curve) {
    // Resume into the row that recorded the first session: what came after the checkpoint is
    // dropped, the new points follow, every step appears once and time keeps rising.
    DemoFixture fixture;
    store::RunStore runs(fixture.dir.file("runs.sqlite"));
    TrainingConfig config = fixture.config("lora", "continued");
    config.maxSteps = 12;
    config.checkpointEvery = 5;
    config.evalEvery = 4;
    const int64_t runId = runs.createRun(store::RunRecord{});
    {
        StoreObserver observer(runs, runId);
        COMPARE(static_cast<int>(Trainer::run(config, observer).status), static_cast<int>(TrainingStatus::Finished));
    }
    COMPARE(runs.metrics(runId, "loss").size(), size_t{12});
    const double bestAtFive = readCheckpointState(checkpointFolder(config.out, 5)).bestMetric.value();
    TrainingConfig resume;
    resume.resume = checkpointFolder(config.out, 5);
    resume.maxSteps = 14;  // and extend it
    {
        StoreObserver observer(runs, runId);
        COMPARE(static_cast<int>(Trainer::run(resume, observer).status), static_cast<int>(TrainingStatus::Finished));
    }
    const auto losses = runs.metrics(runId, "loss");
    COMPARE(losses.size(), size_t{14});
    for (size_t i = 0; i < losses.size(); ++i) {
        COMPARE(losses[i].step, static_cast<int64_t>(i + 1));
        if (i > 0) VERIFY(losses[i].timeSeconds >= losses[i - 1].timeSeconds);
    }
    std::vector<int64_t> evalSteps;
    for (const auto& point : runs.metrics(runId, "eval_loss")) evalSteps.push_back(point.step);
    COMPARE(evalSteps, (std::vector<int64_t>{4, 8, 12, 14}));
    const auto row = runs.run(runId);
    COMPARE(toString(row->status), std::string("finished"));
    COMPARE(*row->maxSteps, int64_t{14});
    COMPARE(*row->lastStep, int64_t{14});
    VERIFY(row->bestEval.has_value());
    // The best is the checkpoint's (step 4) or a later improvement, never lost.
    VERIFY(row->bestEvalMetric == "accuracy" ? *row->bestEval >= bestAtFive : *row->bestEval <= bestAtFive);
}

CAPSULE_TEST(adalora_resume_continues_the_rank_allocation_exactly) {
    // The allocator's importance EMAs and the rank pattern travel in the checkpoint: a resumed
    // AdaLoRA run reproduces losses and budgets, in the budget phase and in the final phase.
    DemoFixture fixture;
    TrainingConfig config = fixture.config("adalora", "ada-full");
    config.maxSteps = 16;
    config.initR = 6;
    config.targetR = 2;
    config.tinit = 2;
    config.tfinal = 4;
    config.lr = 5e-3;
    Recorder full;
    COMPARE(static_cast<int>(Trainer::run(config, full).status), static_cast<int>(TrainingStatus::Finished));
    for (const int64_t at : {int64_t{6}, int64_t{13}}) {
        TrainingConfig first = config;
        first.out = fixture.dir.file("ada-split-" + std::to_string(at));
        first.checkpointEvery = at;
        Recorder ignored;
        COMPARE(static_cast<int>(Trainer::run(first, ignored).status), static_cast<int>(TrainingStatus::Finished));
        TrainingConfig resume;
        resume.resume = checkpointFolder(first.out, at);
        Recorder resumed;
        COMPARE(static_cast<int>(Trainer::run(resume, resumed).status), static_cast<int>(TrainingStatus::Finished));
        COMPARE(resumed.steps.size(), size_t(16 - at));
        for (size_t i = 0; i < resumed.steps.size(); ++i) COMPARE(resumed.steps[i].loss, full.steps[static_cast<size_t>(at) + i].loss);
        COMPARE(resumed.ranks.back().totalRank, full.ranks.back().totalRank);
        COMPARE(resumed.ranks.back().budget, full.ranks.back().budget);
    }
}

CAPSULE_TEST(cancel_acts_within_one_step) {
    DemoFixture fixture;
    TrainingConfig config = fixture.config("lora", "cancel");
    config.maxSteps = 100000;
    config.gradientAccumulation = 2;
    TrainingControl control;
    Recorder recorder;
    recorder.onEachStep = [&](const StepMetrics& metrics) {
        if (metrics.step == 3) control.requestCancel();
    };
    const TrainingResult result = Trainer::run(config, recorder, &control);
    COMPARE(static_cast<int>(result.status), static_cast<int>(TrainingStatus::Cancelled));
    COMPARE(result.steps, int64_t{3});
    VERIFY(fs::exists(checkpointFolder(config.out, 3) + "/trainer_state.json"));

    // From another thread, on a timer: the run returns within one step of the request.
    TrainingControl timed;
    Recorder timedRecorder;
    config.out = fixture.dir.file("cancel-timer");
    std::atomic<int64_t> stepsDone{0}, stepsAtCancel{-1};
    timedRecorder.onEachStep = [&](const StepMetrics& metrics) { stepsDone = metrics.step; };
    std::thread timer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        stepsAtCancel = stepsDone.load();
        timed.requestCancel();
    });
    const TrainingResult timedResult = Trainer::run(config, timedRecorder, &timed);
    timer.join();
    COMPARE(static_cast<int>(timedResult.status), static_cast<int>(TrainingStatus::Cancelled));
    VERIFY(timedResult.steps <= stepsAtCancel.load() + 1);
}

CAPSULE_TEST(bad_inputs_fail_with_a_reason_instead_of_throwing) {
    DemoFixture fixture;
    TrainingConfig config = fixture.config("lora", "bad");
    config.data = fixture.dir.file("missing.jsonl");
    Recorder recorder;
    const TrainingResult result = Trainer::run(config, recorder);
    COMPARE(static_cast<int>(result.status), static_cast<int>(TrainingStatus::Failed));
    VERIFY(result.reason.find("missing.jsonl") != std::string::npos);
    COMPARE(static_cast<int>(recorder.statuses.back().status), static_cast<int>(TrainingStatus::Failed));

    TrainingConfig diverge = fixture.config("ia3", "nan");
    diverge.lr = 1e30;
    diverge.maxGradNorm = 0;
    Recorder nanRecorder;
    const TrainingResult nanResult = Trainer::run(diverge, nanRecorder);
    COMPARE(static_cast<int>(nanResult.status), static_cast<int>(TrainingStatus::Failed));
    std::printf("diverging run: %s\n", nanResult.reason.c_str());
    VERIFY(nanResult.reason.find("lower --lr") != std::string::npos);
}

namespace {

/// While it lives, writes past `bytes` in any file fail with EFBIG instead of raising SIGXFSZ:
/// a full disk (ENOSPC) as far as the writer can tell, and one that holds for root too.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes) {
        if (getrlimit(RLIMIT_FSIZE, &saved_) != 0) throw std::runtime_error("getrlimit failed");
        previous_ = std::signal(SIGXFSZ, SIG_IGN);
        rlimit tight = saved_;
        tight.rlim_cur = bytes;
        if (setrlimit(RLIMIT_FSIZE, &tight) != 0) throw std::runtime_error("setrlimit failed");
    }
    ~FileSizeLimit() {
        setrlimit(RLIMIT_FSIZE, &saved_);
        std::signal(SIGXFSZ, previous_);
    }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;

private:
    rlimit saved_{};
    void (*previous_)(int) = nullptr;
};

}  // namespace

CAPSULE_TEST(a_store_that_cannot_be_written_never_stops_the_training) {
    DemoFixture fixture;
    const std::string path = fixture.dir.file("runs.sqlite");
    store::RunStore runs(path);
    const int64_t runId = runs.createRun(store::RunRecord{});
    TrainingConfig config = fixture.config("lora", "store-full");
    TrainingResult result;
    std::string failure;
    {
        const FileSizeLimit limit(256 * 1024);  // the adapter fits; the store's log outgrows it in a few steps
        StoreObserver observer(runs, runId, /*flushIntervalSeconds=*/0.0);
        result = Trainer::run(config, observer);
        failure = observer.failure();
    }
    std::printf("store failure: %s\n", failure.c_str());
    COMPARE(static_cast<int>(result.status), static_cast<int>(TrainingStatus::Finished));
    VERIFY(!failure.empty());
    VERIFY(fs::exists(config.out + "/adapter_model.safetensors"));
    // What was committed stays, consistent: a prefix of the steps.
    store::RunStore reopened(path);
    VERIFY(reopened.checkIntegrity());
    const auto losses = reopened.metrics(runId, "loss");
    std::printf("steps recorded before it: %zu of %lld\n", losses.size(), static_cast<long long>(config.maxSteps));
    VERIFY(!losses.empty() && losses.size() < static_cast<size_t>(config.maxSteps));
    for (size_t i = 0; i < losses.size(); ++i) COMPARE(losses[i].step, static_cast<int64_t>(i + 1));
}

CAPSULE_TEST(a_checkpoint_that_cannot_be_written_fails_the_run_cleanly) {
    // Writes past a file size limit fail (EFBIG) the way writes to a full disk do (ENOSPC), and
    // the limit holds for root too. LibTorch's own file writer aborted the process here.
    DemoFixture fixture;
    TrainingConfig config = fixture.config("lora", "full-disk");
    config.checkpointEvery = 4;
    TrainingResult result;
    {
        const FileSizeLimit limit(24 * 1024);  // the adapter (16 KiB) fits, the optimizer state (32 KiB) does not
        Recorder recorder;
        result = Trainer::run(config, recorder);
    }
    std::printf("unwritable checkpoint: %s\n", result.reason.c_str());
    COMPARE(static_cast<int>(result.status), static_cast<int>(TrainingStatus::Failed));
    VERIFY(result.reason.find("the checkpoint at step 4 could not be written") != std::string::npos);
    VERIFY(result.reason.find("optimizer.pt") != std::string::npos);
    // Nothing half-written stays behind: no step-4 folder and no temporary one.
    std::vector<std::string> left;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(fixture.dir.file("full-disk/checkpoints"), error))
        left.push_back(entry.path().filename().string());
    COMPARE(left, std::vector<std::string>{});
    // The process is unharmed: the same run trains once the disk has room.
    config.out = fixture.dir.file("with-room");
    Recorder again;
    COMPARE(static_cast<int>(Trainer::run(config, again).status), static_cast<int>(TrainingStatus::Finished));
    VERIFY(fs::exists(fixture.dir.file("with-room/checkpoints/step-4/optimizer.pt")));
}

CAPSULE_TEST(a_damaged_checkpoint_is_refused_by_file_instead_of_resuming_wrong) {
    DemoFixture fixture;
    TrainingConfig config = fixture.config("lora", "damaged");
    config.maxSteps = 8;
    config.checkpointEvery = 4;
    Recorder ignored;
    COMPARE(static_cast<int>(Trainer::run(config, ignored).status), static_cast<int>(TrainingStatus::Finished));
    const std::string original = checkpointFolder(config.out, 4);
    const nlohmann::json state = nlohmann::json::parse(test::readFile(original + "/trainer_state.json"));
    for (const char* name : {"trainable.pt", "adapter_state.pt", "optimizer.pt", "rng.pt"})
        COMPARE(state.at("files").at(name).at("bytes").get<uint64_t>(), static_cast<uint64_t>(fs::file_size(original + "/" + name)));

    // Resumes `damage` applied to a copy of the checkpoint; returns the failure reason.
    int copies = 0;
    const auto resumeDamaged = [&](const std::function<void(const std::string&)>& damage) {
        const std::string copy = fixture.dir.file("copy-" + std::to_string(++copies));
        fs::copy(original, copy, fs::copy_options::recursive);
        damage(copy);
        TrainingConfig resumed = config;
        resumed.resume = copy;
        resumed.out = fixture.dir.file("resumed-" + std::to_string(copies));
        Recorder recorder;
        const TrainingResult result = Trainer::run(resumed, recorder);
        COMPARE(static_cast<int>(result.status), static_cast<int>(TrainingStatus::Failed));
        std::printf("damaged checkpoint %d: %s\n", copies, result.reason.c_str());
        VERIFY(result.reason.find("frame #") == std::string::npos);  // a message, not a C++ backtrace
        return result.reason;
    };
    const auto flipMiddle = [](const std::string& path) {
        std::string bytes = test::readFile(path);
        for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 16; ++i) bytes[i] = static_cast<char>(~bytes[i]);
        test::writeFile(path, bytes);
    };
    // Flipped bytes inside the tensor data: LibTorch would load them without complaint.
    std::string reason = resumeDamaged([&](const std::string& copy) { flipMiddle(copy + "/trainable.pt"); });
    VERIFY(reason.find("cannot resume from the checkpoint") != std::string::npos);
    VERIFY(reason.find("trainable.pt: damaged") != std::string::npos);
    // A truncated file.
    reason = resumeDamaged([](const std::string& copy) { fs::resize_file(copy + "/optimizer.pt", 100); });
    VERIFY(reason.find("optimizer.pt: damaged (100 bytes") != std::string::npos);
    // A checkpoint from before the record (no "files"): the archive reader's error, named.
    reason = resumeDamaged([](const std::string& copy) {
        nlohmann::json old = nlohmann::json::parse(test::readFile(copy + "/trainer_state.json"));
        old.erase("files");
        test::writeFile(copy + "/trainer_state.json", old.dump(2));
        fs::resize_file(copy + "/rng.pt", 100);
    });
    VERIFY(reason.find("rng.pt: not a readable PyTorch archive") != std::string::npos);
    // A missing file.
    reason = resumeDamaged([](const std::string& copy) { fs::remove(copy + "/optimizer.pt"); });
    VERIFY(reason.find("optimizer.pt: missing from the checkpoint") != std::string::npos);
}

CAPSULE_TEST(column_mapping_reads_a_file_with_its_own_field_names) {
    // The demo data with "question" renamed to "prompt_text": unreadable as multiple-choice until
    // column_mapping (--column-mapping question=prompt_text) names the field.
    DemoFixture fixture;
    const std::string renamed = fixture.dir.file("renamed.jsonl");
    {
        std::ifstream in(fixture.data);
        std::ofstream out(renamed);
        std::string line;
        while (std::getline(in, line)) {
            nlohmann::json record = nlohmann::json::parse(line);
            record["prompt_text"] = record.at("question");
            record.erase("question");
            out << record.dump() << '\n';
        }
    }
    TrainingConfig original = fixture.config("lora", "original");
    original.maxSteps = 2;
    original.format = "multiple-choice";
    Recorder originalRecorder;
    COMPARE(static_cast<int>(Trainer::run(original, originalRecorder).status), static_cast<int>(TrainingStatus::Finished));

    TrainingConfig unmapped = original;
    unmapped.data = renamed;
    unmapped.out = fixture.dir.file("unmapped");
    Recorder unmappedRecorder;
    const TrainingResult failed = Trainer::run(unmapped, unmappedRecorder);
    COMPARE(static_cast<int>(failed.status), static_cast<int>(TrainingStatus::Failed));
    std::printf("without the mapping: %s\n", failed.reason.c_str());
    VERIFY(failed.reason.find("renamed.jsonl:1:") != std::string::npos);  // names the first bad row

    TrainingConfig mapped = unmapped;
    mapped.out = fixture.dir.file("mapped");
    mapped.columnMapping = {"question=prompt_text"};
    Recorder mappedRecorder;
    const TrainingResult result = Trainer::run(mapped, mappedRecorder);
    COMPARE(static_cast<int>(result.status), static_cast<int>(TrainingStatus::Finished));
    COMPARE(mappedRecorder.infos.at(0).trainExamples, originalRecorder.infos.at(0).trainExamples);
    // Same examples, same seed: the same first loss.
    COMPARE_NEAR(mappedRecorder.steps.at(0).loss, originalRecorder.steps.at(0).loss, 1e-6);

    mapped.columnMapping = {"question"};
    VERIFY_THROWS(mapped.validate(), "option --column-mapping: entry 'question' is not field=column");
}
