#include "support/demo_run.h"

#include <QSignalSpy>

namespace capsule::ui::test {

TrainingRequest demoRunRequest(const QString& demoFolder, const QString& method, int steps, const QString& outputFolder,
                               const QString& storePath) {
    TrainingRequest request;
    request.demoFolder = demoFolder;
    request.config = TrainingController::demoConfig(method, steps, outputFolder);
    request.config.store = storePath.toStdString();
    return request;
}

TrainedRun trainToEnd(const TrainingRequest& request, int timeoutMs) {
    TrainedRun run;
    TrainingController controller;
    QSignalSpy finished(&controller, &TrainingController::finished);
    QSignalSpy started(&controller, &TrainingController::runStarted);
    run.started = controller.start(request);
    if (!run.started) return run;
    run.ended = finished.wait(timeoutMs);
    if (!run.ended) return run;
    run.state = finished.first().at(0).value<RunState>();
    run.reason = finished.first().at(1).toString();
    run.adapterFolder = finished.first().at(2).toString();
    run.runId = controller.runId();
    if (!started.isEmpty()) run.startInfo = started.first().at(0).value<RunStartInfo>();
    return run;
}

}  // namespace capsule::ui::test
