// The SQLite run store: schema and migrations, runs, batched metrics, live readers, and
// consistency after the writing process is killed mid-run.
#include "capsule_test.h"

#include "store/run_store.h"
#include "store/sqlite_database.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

using namespace capsule::store;

namespace {

RunRecord sampleRun(const std::string& name) {
    RunRecord run;
    run.name = name;
    run.baseModel = "/models/gpt2";
    run.dataset = "/data/train.jsonl";
    run.method = "lora";
    run.configJson = R"({"method":"lora","r":8})";
    run.maxSteps = 100;
    return run;
}

}  // namespace

CAPSULE_TEST(createsSchemaAndReportsVersion) {
    capsule::test::TempDir dir;
    const std::string path = dir.file("nested/folder/runs.sqlite");
    { RunStore store(path); VERIFY(store.checkIntegrity()); }
    Database raw(path);
    Statement version(raw, "PRAGMA user_version");
    VERIFY(version.step());
    COMPARE(version.columnInt(0), int64_t(RunStore::schemaVersion));
    Statement journal(raw, "PRAGMA journal_mode");
    VERIFY(journal.step());
    COMPARE(journal.columnText(0), std::string("wal"));
}

CAPSULE_TEST(refusesAStoreFromANewerCapsule) {
    capsule::test::TempDir dir;
    const std::string path = dir.file("runs.sqlite");
    { RunStore store(path); }
    { Database raw(path); raw.execute("PRAGMA user_version = 99"); }
    VERIFY_THROWS(RunStore(path), "schema version 99");
}

CAPSULE_TEST(corruptFileGivesAClearError) {
    capsule::test::TempDir dir;
    const std::string path = dir.file("runs.sqlite");
    capsule::test::writeFile(path, std::string(4096, 'x'));
    VERIFY_THROWS(RunStore(path), path);
}

CAPSULE_TEST(runLifecycle) {
    capsule::test::TempDir dir;
    RunStore store(dir.file("runs.sqlite"));
    const int64_t id = store.createRun(sampleRun("first"));
    auto run = store.run(id);
    VERIFY(run.has_value());
    COMPARE(run->name, std::string("first"));
    COMPARE(toString(run->status), std::string("created"));
    COMPARE(run->createdAt.size(), size_t(20));
    VERIFY(run->startedAt.empty());

    store.markRunning(id);
    run = store.run(id);
    COMPARE(toString(run->status), std::string("running"));
    VERIFY(!run->startedAt.empty());
    COMPARE(*run->processId, int64_t(::getpid()));

    store.setParameters(id, 294912, 124734720);
    store.setBestEval(id, "eval_loss", 1.25, 40);
    store.setStatus(id, RunStatus::Finished);
    run = store.run(id);
    COMPARE(toString(run->status), std::string("finished"));
    VERIFY(!run->finishedAt.empty());
    VERIFY(!run->processId.has_value());
    COMPARE(*run->trainableParameters, int64_t(294912));
    COMPARE(*run->bestEval, 1.25);
    COMPARE(run->bestEvalMetric, std::string("eval_loss"));
    COMPARE(*run->bestStep, int64_t(40));

    store.rename(id, "renamed");
    COMPARE(store.findRun("renamed")->id, id);
    COMPARE(store.findRun(std::to_string(id))->name, std::string("renamed"));
    VERIFY(!store.findRun("missing").has_value());
    // Several runs of one name (one --out folder trained again): the newest finished one, since a
    // newer failed one left nothing of its own; without a finished one, the newest.
    const int64_t failed = store.createRun(sampleRun("x"));
    store.setStatus(failed, RunStatus::Failed, "boom");
    store.rename(failed, "renamed");
    COMPARE(store.findRun("renamed")->id, id);
    store.setStatus(id, RunStatus::Failed, "boom too");
    COMPARE(store.findRun("renamed")->id, failed);
}

CAPSULE_TEST(metricsAreBatchedAndOrdered) {
    capsule::test::TempDir dir;
    RunStore store(dir.file("runs.sqlite"));
    const int64_t id = store.createRun(sampleRun("metrics"));
    std::vector<MetricPoint> batch;
    for (int step = 1; step <= 50; ++step) {
        batch.push_back({step, "loss", 3.0 - step * 0.01, step * 0.1});
        batch.push_back({step, "lr", 1e-4, step * 0.1});
    }
    store.appendMetrics(id, batch);
    const auto loss = store.metrics(id, "loss");
    COMPARE(loss.size(), size_t(50));
    COMPARE(loss.front().step, int64_t(1));
    COMPARE_NEAR(loss.back().value, 2.5, 1e-12);
    COMPARE(store.metrics(id, "loss", 45).size(), size_t(5));
    COMPARE(store.metrics(id).size(), size_t(100));
    COMPARE(store.metricNames(id), (std::vector<std::string>{"loss", "lr"}));
    COMPARE(*store.run(id)->lastStep, int64_t(50));
}

CAPSULE_TEST(snapshotsEventsArtifactsAndCascadingDelete) {
    capsule::test::TempDir dir;
    RunStore store(dir.file("runs.sqlite"));
    const int64_t id = store.createRun(sampleRun("adalora"));
    store.appendRankSnapshot(id, {10, 96, 96, R"({"modules":[]})"});
    store.appendRankSnapshot(id, {20, 80, 79, R"({"modules":[]})"});
    store.appendEvent(id, "info", "started");
    ArtifactRecord checkpoint;
    checkpoint.runId = id;
    checkpoint.kind = "checkpoint";
    checkpoint.path = "/runs/1/checkpoints/step-20";
    checkpoint.step = 20;
    checkpoint.description = "adapter + optimizer + scheduler + RNG at step 20";
    store.addArtifact(checkpoint);
    COMPARE(store.rankSnapshots(id).size(), size_t(2));
    COMPARE(store.rankSnapshots(id)[1].totalRank, int64_t(79));
    COMPARE(store.events(id).size(), size_t(1));
    COMPARE(store.artifacts(id, "checkpoint").size(), size_t(1));
    COMPARE(*store.artifacts(id)[0].step, int64_t(20));

    const int64_t other = store.createRun(sampleRun("other"));
    store.appendMetrics(other, {{1, "loss", 1.0, 0.0}});
    store.deleteRun(id);
    VERIFY(!store.run(id).has_value());
    COMPARE(store.rankSnapshots(id).size(), size_t(0));
    COMPARE(store.events(id).size(), size_t(0));
    COMPARE(store.artifacts(id).size(), size_t(0));
    COMPARE(store.metrics(other).size(), size_t(1));
    COMPARE(store.listRuns().size(), size_t(1));
}

CAPSULE_TEST(truncateAfterStepDropsWhatFollowsACheckpoint) {
    // Resume / Extend continue the same row: what was recorded after the checkpoint's step goes,
    // so the continued run's curves have no overlap, and so do the checkpoint rows of the abandoned
    // continuation; events and exports stay.
    capsule::test::TempDir dir;
    RunStore store(dir.file("runs.sqlite"));
    const int64_t id = store.createRun(sampleRun("continued"));
    const int64_t other = store.createRun(sampleRun("untouched"));
    std::vector<MetricPoint> batch;
    for (int step = 1; step <= 30; ++step) {
        batch.push_back({step, "loss", 3.0 - step * 0.01, step * 0.5});
        batch.push_back({step, "lr", 1e-4, step * 0.5});
    }
    store.appendMetrics(id, batch);
    store.appendMetrics(other, batch);
    for (int step : {10, 20, 30}) store.appendRankSnapshot(id, {step, 96, 90, "{}"});
    store.appendEvent(id, "info", "started");
    for (int step : {10, 20, 30}) store.addArtifact({0, id, "checkpoint", "ckpt", step, "", ""});
    store.addArtifact({0, id, "adapter", "export-30", 30, "", ""});
    store.addArtifact({0, other, "checkpoint", "other-ckpt", 30, "", ""});
    store.setBestEval(id, "accuracy", 0.9, 25);  // after the checkpoint: no longer true
    store.setStatus(id, RunStatus::Interrupted, "process gone");

    const double keptSeconds = store.truncateAfterStep(id, 20);
    COMPARE_NEAR(keptSeconds, 10.0, 1e-12);  // the newest kept point's time: step 20 at 0.5 s/step
    COMPARE(store.metrics(id, "loss").size(), size_t(20));
    COMPARE(store.metrics(id, "loss").back().step, int64_t(20));
    COMPARE(store.metrics(id).size(), size_t(40));
    COMPARE(store.rankSnapshots(id).size(), size_t(2));
    COMPARE(store.rankSnapshots(id).back().step, int64_t(20));
    COMPARE(store.events(id).size(), size_t(1));
    COMPARE(store.artifacts(id, "checkpoint").size(), size_t(2));
    COMPARE(*store.artifacts(id, "checkpoint").back().step, int64_t(20));
    COMPARE(store.artifacts(id, "adapter").size(), size_t(1));  // an export is a file the user made: it stays
    COMPARE(store.artifacts(other).size(), size_t(1));
    const auto run = store.run(id);
    COMPARE(*run->lastStep, int64_t(20));
    VERIFY(!run->bestEval.has_value());
    VERIFY(!run->bestStep.has_value());
    COMPARE(toString(run->status), std::string("interrupted"));  // the caller marks it running
    COMPARE(store.metrics(other).size(), size_t(60));
    COMPARE(*store.run(other)->lastStep, int64_t(30));

    // A best eval at or before the step is kept; appending continues the one curve.
    store.setBestEval(id, "accuracy", 0.8, 10);
    COMPARE_NEAR(store.truncateAfterStep(id, 15), 7.5, 1e-12);
    COMPARE(*store.run(id)->bestStep, int64_t(10));
    store.appendMetrics(id, {{16, "loss", 2.0, 8.0}});
    COMPARE(store.metrics(id, "loss").size(), size_t(16));
    COMPARE(*store.run(id)->lastStep, int64_t(16));
    // From step 0 (a run cancelled before its first step): nothing is kept.
    COMPARE_NEAR(store.truncateAfterStep(id, 0), 0.0, 1e-12);
    COMPARE(store.metrics(id).size(), size_t(0));
    VERIFY(!store.run(id)->lastStep.has_value() || *store.run(id)->lastStep == 0);
}

CAPSULE_TEST(readerOnAnotherThreadSeesLiveData) {
    capsule::test::TempDir dir;
    const std::string path = dir.file("runs.sqlite");
    RunStore writer(path);
    const int64_t id = writer.createRun(sampleRun("live"));
    std::atomic<bool> stop{false};
    std::atomic<size_t> maximumSeen{0};
    std::thread reader([&] {
        RunStore readerStore(path);  // its own connection
        while (!stop) {
            maximumSeen = std::max(maximumSeen.load(), readerStore.metrics(id, "loss").size());
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    });
    for (int step = 1; step <= 200; ++step) writer.appendMetrics(id, {{step, "loss", 1.0 / step, 0.0}});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (maximumSeen < 200 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    stop = true;
    reader.join();
    COMPARE(maximumSeen.load(), size_t(200));
}

CAPSULE_TEST(killedWriterLeavesAConsistentStoreAndAnInterruptedRun) {
    capsule::test::TempDir dir;
    const std::string path = dir.file("runs.sqlite");
    int64_t id = 0;
    { RunStore store(path); id = store.createRun(sampleRun("doomed")); }

    const pid_t child = ::fork();
    if (child == 0) {
        // The "training process": marks the run running, then writes batches of 10 until killed.
        try {
            RunStore store(path);
            store.markRunning(id);
            for (int64_t step = 1;; ++step) {
                std::vector<MetricPoint> batch;
                for (int i = 0; i < 10; ++i) batch.push_back({step, "metric" + std::to_string(i), double(step), 0.0});
                store.appendMetrics(id, batch);
            }
        } catch (...) {
        }
        ::_exit(3);
    }
    VERIFY(child > 0);
    {
        RunStore reader(path);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (reader.metrics(id).size() < 500 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        VERIFY(reader.metrics(id).size() >= 500);
        // While the writer lives, the run is not interrupted.
        COMPARE(reader.markInterruptedRuns(), 0);
    }
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    VERIFY(WIFSIGNALED(status));

    RunStore reopened(path);
    VERIFY(reopened.checkIntegrity());
    const auto points = reopened.metrics(id);
    COMPARE(points.size() % 10, size_t(0));  // whole batches only: each batch is one transaction
    COMPARE(*reopened.run(id)->lastStep, points.back().step);
    COMPARE(reopened.markInterruptedRuns(), 1);
    const auto run = reopened.run(id);
    COMPARE(toString(run->status), std::string("interrupted"));
    VERIFY(run->failureReason.find("resume") != std::string::npos);
    COMPARE(reopened.markInterruptedRuns(), 0);  // idempotent
}
