// End to end through the built capsule-cli: `train` (flags and --config, --metrics-jsonl fields of
// the contract, AdaLoRA budget/rank, checkpoints and --resume), `runs`, `export` (adapter and
// --merged), `demo`, usage errors, and the run store after the training process is killed (-9)
// mid-run: reopened, it is consistent and the run is marked interrupted.
#include "capsule_test.h"
#include "cli_runner.h"

#include "store/run_store.h"
#include "train/demo_assets.h"

#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

using namespace capsule;
namespace fs = std::filesystem;

using capsule::test::runCli;

namespace {

const std::string kCli = test::cliPath();

std::vector<nlohmann::json> readJsonLines(const std::string& path) {
    std::ifstream stream(path);
    std::vector<nlohmann::json> rows;
    std::string line;
    while (std::getline(stream, line))
        if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
    return rows;
}

struct Fixture {
    test::TempDir dir;
    train::DemoAssets assets = train::ensureDemoAssets(dir.path());
    std::string store = dir.file("runs.sqlite");
    std::vector<std::string> common(const std::string& method, const std::string& out) const {
        return {"train", "--model", assets.modelFolder, "--data", assets.datasetPath, "--method", method, "--out", dir.file(out),
                "--store", store, "--batch-size", "16", "--dtype", "float32", "--quiet"};
    }
};

}  // namespace

CAPSULE_TEST(train_writes_the_adapter_metrics_and_the_run) {
    Fixture fixture;
    std::vector<std::string> arguments = fixture.common("lora", "lora");
    for (const char* extra : {"--max-steps", "40", "--lr", "5e-3", "--r", "4", "--lora-alpha", "8", "--eval-every", "20",
                              "--metrics-jsonl"})
        arguments.push_back(extra);
    arguments.push_back(fixture.dir.file("lora.jsonl"));
    const test::CliResult result = runCli(fixture.dir, arguments);
    COMPARE(result.exitCode, 0);
    VERIFY(fs::exists(fixture.dir.file("lora/adapter_config.json")));
    VERIFY(fs::exists(fixture.dir.file("lora/adapter_model.safetensors")));
    const nlohmann::json adapterConfig = nlohmann::json::parse(test::readFile(fixture.dir.file("lora/adapter_config.json")));
    COMPARE(adapterConfig.at("r").get<int>(), 4);
    COMPARE(adapterConfig.at("lora_alpha").get<double>(), 8.0);
    COMPARE(adapterConfig.at("peft_type").get<std::string>(), std::string("LORA"));

    const std::vector<nlohmann::json> rows = readJsonLines(fixture.dir.file("lora.jsonl"));
    COMPARE(rows.size(), size_t{40});
    for (size_t i = 0; i < rows.size(); ++i) {
        COMPARE(rows[i].at("step").get<int64_t>(), static_cast<int64_t>(i + 1));
        for (const char* field : {"loss", "lr", "tokens_per_s"}) VERIFY(rows[i].contains(field));
    }
    VERIFY(rows[19].contains("eval_loss"));
    VERIFY(rows[19].contains("eval_accuracy"));
    VERIFY(rows.back().at("loss").get<double>() < rows.front().at("loss").get<double>());

    const test::CliResult runs = runCli(fixture.dir, {"runs", "--json", "--store", fixture.store});
    COMPARE(runs.exitCode, 0);
    const nlohmann::json list = nlohmann::json::parse(runs.out);
    COMPARE(list.size(), size_t{1});
    COMPARE(list[0].at("status").get<std::string>(), std::string("finished"));
    COMPARE(list[0].at("method").get<std::string>(), std::string("lora"));
    COMPARE(list[0].at("last_step").get<int64_t>(), int64_t{40});
    store::RunStore reader(fixture.store);
    COMPARE(reader.metrics(list[0].at("id").get<int64_t>(), "loss").size(), size_t{40});

    // Export: the adapter as it is, and merged into a plain HF model folder.
    const std::string id = std::to_string(list[0].at("id").get<int64_t>());
    COMPARE(runCli(fixture.dir, {"export", id, "--out", fixture.dir.file("exported"), "--store", fixture.store}).exitCode, 0);
    COMPARE(test::readFile(fixture.dir.file("exported/adapter_model.safetensors")),
            test::readFile(fixture.dir.file("lora/adapter_model.safetensors")));
    COMPARE(runCli(fixture.dir, {"export", id, "--out", fixture.dir.file("merged"), "--merged", "--store", fixture.store}).exitCode, 0);
    VERIFY(fs::exists(fixture.dir.file("merged/config.json")));
    VERIFY(fs::exists(fixture.dir.file("merged/model.safetensors")));
    // The merged model runs through the CLI like any other model.
    COMPARE(runCli(fixture.dir, {"info", fixture.dir.file("merged")}).exitCode, 0);
}

CAPSULE_TEST(config_file_and_flags_agree_and_adalora_reports_budget_and_rank) {
    Fixture fixture;
    const nlohmann::json config = {{"model", fixture.assets.modelFolder}, {"data", fixture.assets.datasetPath},
                                   {"method", "adalora"}, {"out", fixture.dir.file("ada")}, {"max_steps", 30},
                                   {"init_r", 6}, {"target_r", 2}, {"tinit", 3}, {"tfinal", 6}, {"lr", 5e-3},
                                   {"batch_size", 16}, {"dtype", "float32"}, {"store", fixture.store}};
    test::writeFile(fixture.dir.file("ada.json"), config.dump(2));
    const test::CliResult result = runCli(fixture.dir, {"train", "--config", fixture.dir.file("ada.json"), "--metrics-jsonl",
                                                  fixture.dir.file("ada.jsonl"), "--quiet"});
    COMPARE(result.exitCode, 0);
    const std::vector<nlohmann::json> rows = readJsonLines(fixture.dir.file("ada.jsonl"));
    COMPARE(rows.size(), size_t{30});
    for (const auto& row : rows) {
        VERIFY(row.contains("budget"));
        VERIFY(row.contains("rank"));
    }
    VERIFY(rows.back().at("rank").get<int64_t>() < rows.front().at("rank").get<int64_t>());
    const nlohmann::json saved = nlohmann::json::parse(test::readFile(fixture.dir.file("ada/adapter_config.json")));
    COMPARE(saved.at("peft_type").get<std::string>(), std::string("ADALORA"));
    VERIFY(saved.at("rank_pattern").is_object());
}

CAPSULE_TEST(checkpoint_and_resume_through_the_cli) {
    Fixture fixture;
    // Relative paths, as typed in a shell: they mean the working folder, and the store records
    // them as absolute paths (the studio's History opens them from anywhere).
    std::vector<std::string> arguments = fixture.common("ia3", "ia3");
    arguments[8] = "ia3";
    for (const char* extra : {"--max-steps", "12", "--checkpoint-every", "6", "--metrics-jsonl", "full.jsonl"})
        arguments.push_back(extra);
    COMPARE(runCli(fixture.dir, arguments, fixture.dir.path()).exitCode, 0);
    const std::string checkpoint = fixture.dir.file("ia3/checkpoints/step-6");
    VERIFY(fs::exists(checkpoint + "/trainer_state.json"));
    const auto onlyRun = [&] {
        store::RunStore reader(fixture.store);
        const std::vector<store::RunRecord> runs = reader.listRuns();
        COMPARE(runs.size(), size_t{1});
        return runs[0];
    };
    const store::RunRecord trained = onlyRun();
    COMPARE(fs::weakly_canonical(trained.outputDir), fs::weakly_canonical(fixture.dir.file("ia3")));

    // Resuming the run's own checkpoint continues the same run: the same loss sequence from step
    // 7 on, one row in the store, and its points after step 6 replaced rather than repeated.
    const test::CliResult resumed = runCli(fixture.dir, {"train", "--resume", "ia3/checkpoints/step-6/", "--metrics-jsonl",
                                                         "resumed.jsonl", "--store", fixture.store, "--quiet"},
                                           fixture.dir.path());
    COMPARE(resumed.exitCode, 0);
    const auto full = readJsonLines(fixture.dir.file("full.jsonl"));
    const auto tail = readJsonLines(fixture.dir.file("resumed.jsonl"));
    COMPARE(tail.size(), size_t{6});
    for (size_t i = 0; i < tail.size(); ++i) COMPARE(tail[i].at("loss").get<double>(), full[6 + i].at("loss").get<double>());
    const store::RunRecord continued = onlyRun();
    COMPARE(continued.id, trained.id);
    COMPARE(store::toString(continued.status), std::string("finished"));
    COMPARE(continued.lastStep.value_or(-1), int64_t{12});
    store::RunStore reader(fixture.store);
    const std::vector<store::MetricPoint> losses = reader.metrics(trained.id, "loss");
    COMPARE(losses.size(), size_t{12});
    for (size_t i = 0; i < losses.size(); ++i) COMPARE(losses[i].step, static_cast<int64_t>(i + 1));
    bool noted = false;
    for (const store::EventRecord& event : reader.events(trained.id))
        noted = noted || (event.message.find("continuing from the checkpoint /") != std::string::npos &&
                          event.message.find("ia3/checkpoints/step-6 ") != std::string::npos);
    VERIFY(noted);

    // A folder that is no checkpoint is refused by name, and records nothing.
    const test::CliResult missing = runCli(fixture.dir, {"train", "--resume", fixture.dir.file("ia3/checkpoints/step-99"),
                                                         "--store", fixture.store, "--quiet"});
    VERIFY(missing.exitCode != 0);
    VERIFY(missing.err.find("step-99: no such checkpoint folder") != std::string::npos);
    COMPARE(onlyRun().id, trained.id);
}

CAPSULE_TEST(usage_errors_name_the_option_and_bad_files_name_the_file) {
    Fixture fixture;
    test::CliResult result = runCli(fixture.dir, {"train", "--method", "lora"});
    COMPARE(result.exitCode, 2);
    result = runCli(fixture.dir, {"train", "--model", fixture.assets.modelFolder, "--data", fixture.assets.datasetPath,
                                  "--method", "qlora", "--out", fixture.dir.file("x"), "--store", fixture.store});
    COMPARE(result.exitCode, 2);
    VERIFY(result.err.find("qlora") != std::string::npos);
    result = runCli(fixture.dir, {"train", "--model", fixture.assets.modelFolder, "--data", fixture.assets.datasetPath,
                                  "--method", "lora", "--out", fixture.dir.file("x"), "--lora-alpha", "many", "--store", fixture.store});
    COMPARE(result.exitCode, 2);
    VERIFY(result.err.find("lora-alpha") != std::string::npos);
    test::writeFile(fixture.dir.file("broken.jsonl"), "{\"question\": \"the movie was great\"\n");
    result = runCli(fixture.dir, {"train", "--model", fixture.assets.modelFolder, "--data", fixture.dir.file("broken.jsonl"),
                                  "--method", "lora", "--out", fixture.dir.file("y"), "--store", fixture.store, "--quiet"});
    VERIFY(result.exitCode != 0);
    VERIFY(result.err.find("broken.jsonl") != std::string::npos);
    VERIFY(!fs::exists(fixture.dir.file("y/adapter_model.safetensors")));
    // The failed run has nothing of its own to export, and export says why instead of copying
    // whatever an earlier run left in its folder.
    result = runCli(fixture.dir, {"export", "y", "--out", fixture.dir.file("y-export"), "--store", fixture.store});
    VERIFY(result.exitCode != 0);
    VERIFY(result.err.find("failed (") != std::string::npos && result.err.find("broken.jsonl") != std::string::npos);
    VERIFY(!fs::exists(fixture.dir.file("y-export")));
}

CAPSULE_TEST(a_metrics_file_on_a_full_disk_is_reported_and_the_run_finishes) {
    Fixture fixture;
    // Every write to /dev/full fails with ENOSPC, as on a full disk.
    std::vector<std::string> arguments = fixture.common("lora", "full-metrics");
    for (const char* extra : {"--max-steps", "3", "--metrics-jsonl", "/dev/full"}) arguments.push_back(extra);
    const test::CliResult result = runCli(fixture.dir, arguments);
    COMPARE(result.exitCode, 0);
    VERIFY(result.err.find("warning: /dev/full: the metrics file stops before step 1 (No space left on device)") !=
           std::string::npos);
    VERIFY(fs::exists(fixture.dir.file("full-metrics/adapter_model.safetensors")));
}

CAPSULE_TEST(demo_lifts_accuracy_and_prints_the_table) {
    Fixture fixture;
    const test::CliResult result = runCli(fixture.dir, {"demo", "--method", "prompt-tuning", "--max-steps", "80", "--folder",
                                                  fixture.dir.file("demo"), "--store", fixture.store, "--quiet"});
    COMPARE(result.exitCode, 0);
    VERIFY(result.out.find("prompt-tuning") != std::string::npos);
    VERIFY(result.out.find("-> 100.0%") != std::string::npos || result.out.find("->  9") != std::string::npos);
}

CAPSULE_TEST(killing_the_training_process_leaves_a_consistent_store) {
    Fixture fixture;
    std::vector<std::string> arguments = fixture.common("lora", "killed");
    for (const char* extra : {"--max-steps", "100000", "--log-every", "1"}) arguments.push_back(extra);
    const pid_t child = fork();
    if (child == 0) {
        std::vector<char*> argv;
        argv.push_back(const_cast<char*>(kCli.c_str()));
        for (auto& argument : arguments) argv.push_back(argument.data());
        argv.push_back(nullptr);
        execv(kCli.c_str(), argv.data());
        _exit(127);
    }
    // Wait until metrics reach the store, then kill without warning.
    int64_t stored = 0;
    for (int attempt = 0; attempt < 300 && stored < 20; ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (!fs::exists(fixture.store)) continue;
        try {
            store::RunStore reader(fixture.store);
            const auto runs = reader.listRuns();
            if (!runs.empty()) stored = static_cast<int64_t>(reader.metrics(runs[0].id, "loss").size());
        } catch (const std::exception&) {
        }
    }
    VERIFY(stored >= 20);
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    VERIFY(WIFSIGNALED(status));

    store::RunStore reopened(fixture.store);
    COMPARE(reopened.markInterruptedRuns(), 1);
    const auto runs = reopened.listRuns();
    COMPARE(runs.size(), size_t{1});
    COMPARE(store::toString(runs[0].status), std::string("interrupted"));
    const auto points = reopened.metrics(runs[0].id, "loss");
    VERIFY(static_cast<int64_t>(points.size()) >= stored);
    for (size_t i = 1; i < points.size(); ++i) VERIFY(points[i].step > points[i - 1].step);
    // The CLI still lists it.
    const test::CliResult listed = runCli(fixture.dir, {"runs", "--store", fixture.store});
    COMPARE(listed.exitCode, 0);
    VERIFY(listed.out.find("interrupted") != std::string::npos);
}

CAPSULE_TEST(icl_scores_the_base_model_with_demonstrations_and_records_it) {
    Fixture fixture;
    const test::CliResult result =
        runCli(fixture.dir, {"icl", "--model", fixture.assets.modelFolder, "--data", fixture.assets.datasetPath, "--shots", "2",
                             "--max-examples", "24", "--validation-fraction", "0.2", "--dtype", "float32", "--store",
                             fixture.store, "--json"});
    COMPARE(result.exitCode, 0);
    const nlohmann::json object = nlohmann::json::parse(result.out);
    COMPARE(object.at("shots").get<int64_t>(), int64_t{2});
    COMPARE(object.at("examples").get<int64_t>(), int64_t{24});
    VERIFY(object.at("accuracy").get<double>() >= 0 && object.at("accuracy").get<double>() <= 1);
    VERIFY(object.at("prompt_tokens").get<double>() > 2 * object.at("zero_shot_prompt_tokens").get<double>());
    VERIFY(object.at("seconds_per_example").get<double>() > 0);
    COMPARE(object.at("demonstrations").size(), size_t{2});
    const int64_t runId = object.at("run_id").get<int64_t>();

    // `runs` lists it as a run of method icl.
    const test::CliResult runs = runCli(fixture.dir, {"runs", "--json", "--store", fixture.store});
    COMPARE(runs.exitCode, 0);
    bool found = false;
    for (const auto& run : nlohmann::json::parse(runs.out))
        if (run.at("id").get<int64_t>() == runId) found = run.at("method").get<std::string>() == "icl";
    VERIFY(found);

    // The human form, and usage errors that name the option.
    const test::CliResult human = runCli(fixture.dir, {"icl", "--model", fixture.assets.modelFolder, "--data",
                                                       fixture.assets.datasetPath, "--shots", "0", "--max-examples", "8",
                                                       "--no-store", "--quiet"});
    COMPARE(human.exitCode, 0);
    VERIFY(human.out.find("0-shot on 8 validation examples") != std::string::npos);
    VERIFY(human.out.find("recorded as run") == std::string::npos);
    const test::CliResult negative = runCli(fixture.dir, {"icl", "--model", fixture.assets.modelFolder, "--data",
                                                          fixture.assets.datasetPath, "--shots", "-1"});
    COMPARE(negative.exitCode, 2);
    VERIFY(negative.err.find("--shots") != std::string::npos);
    const test::CliResult method = runCli(fixture.dir, {"icl", "--model", fixture.assets.modelFolder, "--data",
                                                        fixture.assets.datasetPath, "--method", "lora"});
    COMPARE(method.exitCode, 2);
    VERIFY(method.err.find("--method") != std::string::npos);
    const test::CliResult missing = runCli(fixture.dir, {"icl", "--data", fixture.assets.datasetPath});
    COMPARE(missing.exitCode, 2);
    VERIFY(missing.err.find("--model") != std::string::npos);
}
