#include "controller/runtime_controller.h"

#include "runtime/runtime.h"

#include <QtGlobal>

namespace capsule::ui {

RuntimeController::RuntimeController(QObject* parent) : QObject(parent) {
    const RuntimeInfo info = runtimeInfo();
    capsuleVersion_ = QString::fromStdString(info.capsuleVersion);
    torchVersion_ = QString::fromStdString(info.torchVersion);
    deviceName_ = QString::fromStdString(info.deviceName);
    blasLibrary_ = QString::fromStdString(info.blasLibrary);
    cudaAvailable_ = info.cudaAvailable;
}

QString RuntimeController::qtVersion() const {
    return QString::fromLatin1(qVersion());
}

QString RuntimeController::performanceWarning() const {
    if (!cudaAvailable_ && blasLibrary_ == QLatin1String("reference"))
        return tr("LibTorch is using the reference BLAS: training on the CPU will be about 10x slower. "
                  "Install the package libopenblas0-openmp.");
    return {};
}

}  // namespace capsule::ui
