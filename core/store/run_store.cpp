#include "store/run_store.h"

#include "store/sqlite_database.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace capsule::store {
namespace {

// Forward-only migrations: entry i brings user_version i to i + 1.
const char* const kMigrations[] = {
    R"sql(
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        status TEXT NOT NULL,
        base_model TEXT NOT NULL DEFAULT '',
        dataset TEXT NOT NULL DEFAULT '',
        method TEXT NOT NULL DEFAULT '',
        config_json TEXT NOT NULL DEFAULT '{}',
        trainable_params INTEGER,
        total_params INTEGER,
        best_eval REAL,
        best_eval_metric TEXT NOT NULL DEFAULT '',
        best_step INTEGER,
        last_step INTEGER,
        max_steps INTEGER,
        output_dir TEXT NOT NULL DEFAULT '',
        failure_reason TEXT NOT NULL DEFAULT '',
        process_id INTEGER,
        process_start_time INTEGER
    );
    CREATE TABLE metrics (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        name TEXT NOT NULL,
        value REAL,
        time_seconds REAL NOT NULL
    );
    CREATE INDEX metrics_by_run ON metrics(run_id, name, step);
    CREATE TABLE rank_snapshots (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        budget INTEGER NOT NULL,
        total_rank INTEGER NOT NULL,
        payload_json TEXT NOT NULL
    );
    CREATE INDEX rank_snapshots_by_run ON rank_snapshots(run_id, step);
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        time TEXT NOT NULL,
        level TEXT NOT NULL,
        message TEXT NOT NULL
    );
    CREATE INDEX events_by_run ON events(run_id, id);
    CREATE TABLE artifacts (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        path TEXT NOT NULL,
        step INTEGER,
        created_at TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX artifacts_by_run ON artifacts(run_id, kind);
    )sql",
};
constexpr int kMigrationCount = sizeof(kMigrations) / sizeof(kMigrations[0]);
static_assert(kMigrationCount == RunStore::schemaVersion, "one migration per schema version");

const char* const kRunColumns =
    "id, name, created_at, started_at, finished_at, status, base_model, dataset, method, config_json, "
    "trainable_params, total_params, best_eval, best_eval_metric, best_step, last_step, max_steps, "
    "output_dir, failure_reason, process_id, process_start_time";

RunRecord readRun(const Statement& row) {
    RunRecord run;
    run.id = row.columnInt(0);
    run.name = row.columnText(1);
    run.createdAt = row.columnText(2);
    run.startedAt = row.columnText(3);
    run.finishedAt = row.columnText(4);
    run.status = runStatusFromString(row.columnText(5));
    run.baseModel = row.columnText(6);
    run.dataset = row.columnText(7);
    run.method = row.columnText(8);
    run.configJson = row.columnText(9);
    run.trainableParameters = row.columnOptionalInt(10);
    run.totalParameters = row.columnOptionalInt(11);
    run.bestEval = row.columnOptionalDouble(12);
    run.bestEvalMetric = row.columnText(13);
    run.bestStep = row.columnOptionalInt(14);
    run.lastStep = row.columnOptionalInt(15);
    run.maxSteps = row.columnOptionalInt(16);
    run.outputDir = row.columnText(17);
    run.failureReason = row.columnText(18);
    run.processId = row.columnOptionalInt(19);
    run.processStartTime = row.columnOptionalInt(20);
    return run;
}

/// Field 22 of /proc/PID/stat: the process start time in clock ticks since boot. Together with the
/// pid it identifies a process even after the pid is reused. nullopt when the process is gone.
std::optional<int64_t> processStartTime(int64_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string content;
    if (!std::getline(stat, content)) return std::nullopt;
    const auto close = content.rfind(')');  // the command name may contain spaces and parentheses
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(content.substr(close + 2));
    std::string field;
    for (int index = 3; index <= 22 && fields >> field; ++index) {
        if (index == 22) return std::strtoll(field.c_str(), nullptr, 10);
    }
    return std::nullopt;
}

bool processAlive(int64_t pid, std::optional<int64_t> startTime) {
    if (pid <= 0) return false;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return false;
    const auto actualStart = processStartTime(pid);
    if (!actualStart) return false;
    // A zombie (killed but not yet reaped) is not training anything either.
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string content;
    std::getline(stat, content);
    const auto close = content.rfind(')');
    if (close != std::string::npos && close + 2 < content.size() && content[close + 2] == 'Z') return false;
    return !startTime || *startTime == *actualStart;
}

}  // namespace

std::string utcNow() {
    const std::time_t now = std::time(nullptr);
    std::tm parts{};
    gmtime_r(&now, &parts);
    char text[32];
    std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &parts);
    return text;
}

std::string RunStore::defaultPath() {
    if (const char* explicitPath = std::getenv("CAPSULE_STORE"); explicitPath && *explicitPath) return explicitPath;
    std::filesystem::path base;
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) {
        base = xdg;
    } else if (const char* home = std::getenv("HOME"); home && *home) {
        base = std::filesystem::path(home) / ".local" / "share";
    } else {
        base = std::filesystem::temp_directory_path();
    }
    return (base / "capsule" / "runs.sqlite").string();
}

RunStore::RunStore(const std::string& path) : path_(path) {
    const auto folder = std::filesystem::path(path).parent_path();
    if (!folder.empty()) {
        std::error_code error;
        std::filesystem::create_directories(folder, error);
        if (error) throw StoreError(folder.string() + ": cannot create the run store folder: " + error.message());
    }
    database_ = std::make_unique<Database>(path);
    migrate();
}

RunStore::~RunStore() = default;

void RunStore::migrate() {
    Statement versionQuery(*database_, "PRAGMA user_version");
    versionQuery.step();
    const int64_t version = versionQuery.columnInt(0);
    if (version > schemaVersion)
        throw StoreError(path_ + ": the run store has schema version " + std::to_string(version) +
                         ", made by a newer Capsule (this one knows up to " + std::to_string(schemaVersion) +
                         "); update Capsule, or set CAPSULE_STORE to use another file");
    for (int64_t next = version; next < schemaVersion; ++next) {
        Transaction transaction(*database_);
        database_->execute(kMigrations[next]);
        database_->execute("PRAGMA user_version = " + std::to_string(next + 1));
        transaction.commit();
    }
}

int64_t RunStore::createRun(RunRecord run) {
    run.createdAt = utcNow();
    Statement insert(*database_,
                     "INSERT INTO runs (name, created_at, status, base_model, dataset, method, config_json, "
                     "trainable_params, total_params, max_steps, output_dir) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    insert.bind(1, run.name).bind(2, run.createdAt).bind(3, toString(run.status)).bind(4, run.baseModel);
    insert.bind(5, run.dataset).bind(6, run.method).bind(7, run.configJson).bind(8, run.trainableParameters);
    insert.bind(9, run.totalParameters).bind(10, run.maxSteps).bind(11, run.outputDir);
    insert.run();
    return database_->lastInsertRowId();
}

std::optional<RunRecord> RunStore::run(int64_t runId) const {
    Statement query(*database_, std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?");
    query.bind(1, runId);
    if (!query.step()) return std::nullopt;
    return readRun(query);
}

std::vector<RunRecord> RunStore::listRuns() const {
    Statement query(*database_, std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY id DESC");
    std::vector<RunRecord> runs;
    while (query.step()) runs.push_back(readRun(query));
    return runs;
}

std::optional<RunRecord> RunStore::findRun(const std::string& idOrName) const {
    if (!idOrName.empty() && idOrName.find_first_not_of("0123456789") == std::string::npos) {
        if (auto found = run(std::strtoll(idOrName.c_str(), nullptr, 10))) return found;
    }
    Statement query(*database_, std::string("SELECT ") + kRunColumns +
                                    " FROM runs WHERE name = ? ORDER BY status = 'finished' DESC, id DESC");
    query.bind(1, idOrName);
    if (!query.step()) return std::nullopt;
    return readRun(query);
}

void RunStore::markRunning(int64_t runId) {
    const int64_t pid = ::getpid();
    Statement update(*database_,
                     "UPDATE runs SET status = 'running', started_at = COALESCE(started_at, ?), finished_at = NULL, "
                     "failure_reason = '', process_id = ?, process_start_time = ? WHERE id = ?");
    update.bind(1, utcNow()).bind(2, pid).bind(3, processStartTime(pid)).bind(4, runId);
    update.run();
}

void RunStore::setStatus(int64_t runId, RunStatus status, const std::string& reason) {
    if (status == RunStatus::Running) {
        markRunning(runId);
        return;
    }
    const bool terminal = isTerminal(status);
    Statement update(*database_,
                     terminal ? "UPDATE runs SET status = ?, failure_reason = ?, finished_at = ?, process_id = NULL, "
                                "process_start_time = NULL WHERE id = ?"
                              : "UPDATE runs SET status = ?, failure_reason = ?, finished_at = ? WHERE id = ?");
    update.bind(1, toString(status)).bind(2, reason);
    update.bind(3, terminal ? std::optional<std::string>(utcNow()) : std::nullopt).bind(4, runId);
    update.run();
}

void RunStore::setBestEval(int64_t runId, const std::string& metric, double value, int64_t step) {
    Statement update(*database_, "UPDATE runs SET best_eval = ?, best_eval_metric = ?, best_step = ? WHERE id = ?");
    update.bind(1, value).bind(2, metric).bind(3, step).bind(4, runId);
    update.run();
}

void RunStore::setParameters(int64_t runId, int64_t trainable, int64_t total) {
    Statement update(*database_, "UPDATE runs SET trainable_params = ?, total_params = ? WHERE id = ?");
    update.bind(1, trainable).bind(2, total).bind(3, runId);
    update.run();
}

void RunStore::setMaxSteps(int64_t runId, int64_t maxSteps) {
    Statement update(*database_, "UPDATE runs SET max_steps = ? WHERE id = ?");
    update.bind(1, maxSteps).bind(2, runId);
    update.run();
}

void RunStore::setOutputDir(int64_t runId, const std::string& outputDir) {
    Statement update(*database_, "UPDATE runs SET output_dir = ? WHERE id = ?");
    update.bind(1, outputDir).bind(2, runId);
    update.run();
}

void RunStore::setConfig(int64_t runId, const std::string& configJson) {
    Statement update(*database_, "UPDATE runs SET config_json = ? WHERE id = ?");
    update.bind(1, configJson).bind(2, runId);
    update.run();
}

void RunStore::rename(int64_t runId, const std::string& name) {
    Statement update(*database_, "UPDATE runs SET name = ? WHERE id = ?");
    update.bind(1, name).bind(2, runId);
    update.run();
}

void RunStore::deleteRun(int64_t runId) {
    Statement remove(*database_, "DELETE FROM runs WHERE id = ?");
    remove.bind(1, runId);
    remove.run();
}

int RunStore::markInterruptedRuns() {
    std::vector<std::pair<int64_t, std::string>> orphans;
    {
        Statement query(*database_,
                        "SELECT id, process_id, process_start_time, status FROM runs "
                        "WHERE status IN ('running', 'paused')");
        while (query.step()) {
            const auto pid = query.columnOptionalInt(1);
            if (!pid || !processAlive(*pid, query.columnOptionalInt(2)))
                orphans.emplace_back(query.columnInt(0), query.columnText(3));
        }
    }
    for (const auto& [runId, previous] : orphans) {
        setStatus(runId, RunStatus::Interrupted,
                  "the process training this run ended while it was " + previous +
                      "; resume it from its last checkpoint");
        appendEvent(runId, "warning", "run marked interrupted: its training process is gone");
    }
    return static_cast<int>(orphans.size());
}

void RunStore::appendMetrics(int64_t runId, const std::vector<MetricPoint>& points) {
    if (points.empty()) return;
    Transaction transaction(*database_);
    Statement insert(*database_, "INSERT INTO metrics (run_id, step, name, value, time_seconds) VALUES (?,?,?,?,?)");
    int64_t lastStep = points.front().step;
    for (const MetricPoint& point : points) {
        insert.bind(1, runId).bind(2, point.step).bind(3, point.name).bind(4, point.value).bind(5, point.timeSeconds);
        insert.run();
        insert.reset();
        lastStep = std::max(lastStep, point.step);
    }
    Statement update(*database_, "UPDATE runs SET last_step = MAX(COALESCE(last_step, 0), ?) WHERE id = ?");
    update.bind(1, lastStep).bind(2, runId);
    update.run();
    transaction.commit();
}

std::vector<MetricPoint> RunStore::metrics(int64_t runId, const std::string& name, int64_t afterStep) const {
    Statement query(*database_,
                    name.empty() ? "SELECT step, name, value, time_seconds FROM metrics WHERE run_id = ? AND step > ? "
                                   "ORDER BY step, rowid"
                                 : "SELECT step, name, value, time_seconds FROM metrics WHERE run_id = ? AND step > ? "
                                   "AND name = ? ORDER BY step, rowid");
    query.bind(1, runId).bind(2, afterStep);
    if (!name.empty()) query.bind(3, name);
    std::vector<MetricPoint> points;
    while (query.step())
        points.push_back({query.columnInt(0), query.columnText(1), query.columnDouble(2), query.columnDouble(3)});
    return points;
}

std::vector<std::string> RunStore::metricNames(int64_t runId) const {
    Statement query(*database_, "SELECT DISTINCT name FROM metrics WHERE run_id = ? ORDER BY name");
    query.bind(1, runId);
    std::vector<std::string> names;
    while (query.step()) names.push_back(query.columnText(0));
    return names;
}

void RunStore::appendRankSnapshot(int64_t runId, const RankSnapshotRecord& snapshot) {
    Statement insert(*database_,
                     "INSERT INTO rank_snapshots (run_id, step, budget, total_rank, payload_json) VALUES (?,?,?,?,?)");
    insert.bind(1, runId).bind(2, snapshot.step).bind(3, snapshot.budget).bind(4, snapshot.totalRank);
    insert.bind(5, snapshot.payloadJson);
    insert.run();
}

std::vector<RankSnapshotRecord> RunStore::rankSnapshots(int64_t runId) const {
    Statement query(*database_,
                    "SELECT step, budget, total_rank, payload_json FROM rank_snapshots WHERE run_id = ? ORDER BY step, rowid");
    query.bind(1, runId);
    std::vector<RankSnapshotRecord> snapshots;
    while (query.step())
        snapshots.push_back({query.columnInt(0), query.columnInt(1), query.columnInt(2), query.columnText(3)});
    return snapshots;
}

void RunStore::appendEvent(int64_t runId, const std::string& level, const std::string& message) {
    Statement insert(*database_, "INSERT INTO events (run_id, time, level, message) VALUES (?,?,?,?)");
    insert.bind(1, runId).bind(2, utcNow()).bind(3, level).bind(4, message);
    insert.run();
}

std::vector<EventRecord> RunStore::events(int64_t runId) const {
    Statement query(*database_, "SELECT id, time, level, message FROM events WHERE run_id = ? ORDER BY id");
    query.bind(1, runId);
    std::vector<EventRecord> events;
    while (query.step())
        events.push_back({query.columnInt(0), query.columnText(1), query.columnText(2), query.columnText(3)});
    return events;
}

double RunStore::truncateAfterStep(int64_t runId, int64_t step) {
    Transaction transaction(*database_);
    for (const char* sql : {"DELETE FROM metrics WHERE run_id = ? AND step > ?",
                            "DELETE FROM rank_snapshots WHERE run_id = ? AND step > ?",
                            "DELETE FROM artifacts WHERE run_id = ? AND step > ? AND kind = 'checkpoint'",
                            "UPDATE runs SET last_step = MIN(last_step, ?2) WHERE id = ?1 AND last_step IS NOT NULL",
                            "UPDATE runs SET best_eval = NULL, best_eval_metric = '', best_step = NULL "
                            "WHERE id = ?1 AND best_step > ?2"}) {
        Statement statement(*database_, sql);
        statement.bind(1, runId).bind(2, step);
        statement.run();
    }
    Statement newest(*database_, "SELECT MAX(time_seconds) FROM metrics WHERE run_id = ?");
    newest.bind(1, runId);
    const double seconds = newest.step() ? newest.columnOptionalDouble(0).value_or(0.0) : 0.0;
    transaction.commit();
    return seconds;
}

int64_t RunStore::addArtifact(const ArtifactRecord& artifact) {
    Statement insert(*database_,
                     "INSERT INTO artifacts (run_id, kind, path, step, created_at, description) VALUES (?,?,?,?,?,?)");
    insert.bind(1, artifact.runId).bind(2, artifact.kind).bind(3, artifact.path).bind(4, artifact.step);
    insert.bind(5, utcNow()).bind(6, artifact.description);
    insert.run();
    return database_->lastInsertRowId();
}

std::vector<ArtifactRecord> RunStore::artifacts(int64_t runId, const std::string& kind) const {
    Statement query(*database_,
                    kind.empty() ? "SELECT id, run_id, kind, path, step, created_at, description FROM artifacts "
                                   "WHERE run_id = ? ORDER BY id"
                                 : "SELECT id, run_id, kind, path, step, created_at, description FROM artifacts "
                                   "WHERE run_id = ? AND kind = ? ORDER BY id");
    query.bind(1, runId);
    if (!kind.empty()) query.bind(2, kind);
    std::vector<ArtifactRecord> artifacts;
    while (query.step()) {
        ArtifactRecord artifact;
        artifact.id = query.columnInt(0);
        artifact.runId = query.columnInt(1);
        artifact.kind = query.columnText(2);
        artifact.path = query.columnText(3);
        artifact.step = query.columnOptionalInt(4);
        artifact.createdAt = query.columnText(5);
        artifact.description = query.columnText(6);
        artifacts.push_back(artifact);
    }
    return artifacts;
}

std::optional<int64_t> RunStore::runOfCheckpoint(const std::string& folder) const {
    const auto normal = [](const std::string& path) {
        std::error_code error;
        std::filesystem::path resolved = std::filesystem::weakly_canonical(path, error);
        if (error) resolved = std::filesystem::absolute(path, error).lexically_normal();
        return resolved.has_filename() ? resolved : resolved.parent_path();  // "a/b/" is "a/b"
    };
    const std::filesystem::path wanted = normal(folder);
    Statement query(*database_, "SELECT run_id, path FROM artifacts WHERE kind = 'checkpoint' ORDER BY id DESC");
    while (query.step())
        if (normal(query.columnText(1)) == wanted) return query.columnInt(0);
    return std::nullopt;
}

bool RunStore::checkIntegrity() const {
    Statement query(*database_, "PRAGMA integrity_check");
    return query.step() && query.columnText(0) == "ok";
}

}  // namespace capsule::store
