#pragma once
// Real demo runs for the GUI tests: a request for the built-in demo, and training one to the end
// through a TrainingController (its own thread, its run in the store) as the studio does.
#include "controller/training_controller.h"
#include "controller/training_events.h"

#include <QString>

#include <optional>

namespace capsule::ui::test {

/// The built-in demo (its assets made in `demoFolder`) with `method` for `steps` steps: the demo's
/// tuned config writing to `outputFolder`, its run recorded in the store at `storePath`.
TrainingRequest demoRunRequest(const QString& demoFolder, const QString& method, int steps, const QString& outputFolder,
                               const QString& storePath);

/// How a run trained by trainToEnd() went.
struct TrainedRun {
    bool started = false;  // start() took the request
    bool ended = false;    // finished() arrived in time
    RunState state = RunState::Idle;
    QString reason;
    QString adapterFolder;
    qint64 runId = -1;
    std::optional<RunStartInfo> startInfo;  // runStarted(), when it came
    bool finished() const { return ended && state == RunState::Finished; }
};

/// Trains `request` with a fresh TrainingController, waiting up to `timeoutMs` for finished().
TrainedRun trainToEnd(const TrainingRequest& request, int timeoutMs);

}  // namespace capsule::ui::test
