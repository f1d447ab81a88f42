#pragma once
// Runtime facts for the widgets (device, versions) as Qt values; widgets never include core's
// torch-facing headers, they ask this class.
#include <QObject>
#include <QString>

namespace capsule::ui {

class RuntimeController : public QObject {
    Q_OBJECT
public:
    explicit RuntimeController(QObject* parent = nullptr);

    QString capsuleVersion() const { return capsuleVersion_; }
    QString torchVersion() const { return torchVersion_; }
    QString qtVersion() const;
    /// "CPU (2 threads, bf16)" or "CUDA (1 device)".
    QString deviceName() const { return deviceName_; }
    bool cudaAvailable() const { return cudaAvailable_; }
    /// BLAS behind LibTorch on CPU ("openblas", "reference", ...); empty when unknown.
    QString blasLibrary() const { return blasLibrary_; }
    /// A warning to show the user about slow set-ups (reference BLAS); empty when all is well.
    QString performanceWarning() const;

private:
    QString capsuleVersion_;
    QString torchVersion_;
    QString deviceName_;
    QString blasLibrary_;
    bool cudaAvailable_ = false;
};

}  // namespace capsule::ui
