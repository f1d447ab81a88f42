#pragma once
// The model list of the setup page: the Hugging Face hub cache plus the folders the user added,
// inspected off the GUI thread (io::discoverModels reads config.json and safetensors headers
// only, but a big cache is still hundreds of files).
//
// Threads: ModelCatalog belongs to the GUI thread; each refresh runs on a worker std::thread and
// its result arrives as a queued signal. The newest refresh wins; the destructor joins.
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <thread>

namespace capsule::ui {

/// One model folder as the table shows it (io::DiscoveredModel in Qt types).
struct ModelEntry {
    QString name;          // "ORG/NAME" for hub-cache models, else the folder name
    QString path;
    QString architecture;  // model_type
    qint64 parameterCount = 0;
    QString dtype;         // dominant stored dtype
    qint64 sizeOnDiskBytes = 0;
    bool supported = false;
    QString problem;       // why not supported
};

/// io::discoverModels(extraFolders) in Qt types. Never throws.
QVector<ModelEntry> discoverModelEntries(const QStringList& extraFolders);

class ModelCatalog : public QObject {
    Q_OBJECT
public:
    explicit ModelCatalog(QObject* parent = nullptr);
    ~ModelCatalog() override;

    /// Scans the hub cache and `extraFolders` again; modelsFound() follows.
    void refresh(const QStringList& extraFolders);
    bool isRunning() const { return running_; }

Q_SIGNALS:
    void modelsFound(const QVector<capsule::ui::ModelEntry>& models);

private:
    void startWorker();
    void onWorkerDone(const QVector<capsule::ui::ModelEntry>& models);

    QStringList next_;
    bool pending_ = false;
    bool running_ = false;
    std::thread worker_;
};

}  // namespace capsule::ui

Q_DECLARE_METATYPE(capsule::ui::ModelEntry)
