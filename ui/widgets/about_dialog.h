#pragma once
// About Capsule: versions of Capsule, Qt and LibTorch, the device in use, and the licence.
#include <QDialog>

namespace capsule::ui {

class RuntimeController;

class AboutDialog : public QDialog {
    Q_OBJECT
public:
    /// `runtime` is not owned.
    AboutDialog(RuntimeController* runtime, QWidget* parent = nullptr);
};

}  // namespace capsule::ui
