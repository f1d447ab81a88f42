#include "controller/model_catalog.h"

#include "io/model_discovery.h"

namespace capsule::ui {

QVector<ModelEntry> discoverModelEntries(const QStringList& extraFolders) {
    std::vector<std::string> folders;
    for (const QString& folder : extraFolders) folders.push_back(folder.toStdString());
    QVector<ModelEntry> entries;
    for (const io::DiscoveredModel& model : io::discoverModels(folders)) {
        ModelEntry entry;
        entry.name = QString::fromStdString(model.name);
        entry.path = QString::fromStdString(model.path);
        entry.architecture = QString::fromStdString(model.architecture);
        entry.parameterCount = model.parameterCount;
        entry.dtype = QString::fromStdString(model.dtype);
        entry.sizeOnDiskBytes = model.sizeOnDiskBytes;
        entry.supported = model.supported;
        entry.problem = QString::fromStdString(model.problem);
        entries.push_back(entry);
    }
    return entries;
}

ModelCatalog::ModelCatalog(QObject* parent) : QObject(parent) {
    qRegisterMetaType<capsule::ui::ModelEntry>();
    qRegisterMetaType<QVector<capsule::ui::ModelEntry>>();
}

ModelCatalog::~ModelCatalog() {
    if (worker_.joinable()) worker_.join();
}

void ModelCatalog::refresh(const QStringList& extraFolders) {
    next_ = extraFolders;
    pending_ = true;
    startWorker();
}

void ModelCatalog::startWorker() {
    if (running_ || !pending_) return;  // onWorkerDone starts the newest one
    pending_ = false;
    running_ = true;
    if (worker_.joinable()) worker_.join();
    worker_ = std::thread([this, folders = next_] {
        const QVector<ModelEntry> models = discoverModelEntries(folders);
        // Queued to the GUI thread; the destructor joins this thread first, so `this` outlives it.
        QMetaObject::invokeMethod(this, [this, models] { onWorkerDone(models); }, Qt::QueuedConnection);
    });
}

void ModelCatalog::onWorkerDone(const QVector<ModelEntry>& models) {
    running_ = false;
    if (worker_.joinable()) worker_.join();
    if (pending_) {
        startWorker();  // folders changed meanwhile: this result is stale
        return;
    }
    Q_EMIT modelsFound(models);
}

}  // namespace capsule::ui
