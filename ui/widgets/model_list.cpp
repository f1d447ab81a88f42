#include "widgets/model_list.h"

#include "controller/parameter_estimator.h"
#include "controller/recent_files.h"
#include "widgets/recent_menu.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace capsule::ui {
namespace {
constexpr auto kModelFoldersKey = "setup/modelFolders";
/// Item data on the name column: true for the built-in demo row.
constexpr int kDemoRole = Qt::UserRole + 1;
/// Item data on the name column: the model's parameter count (from the catalog).
constexpr int kParametersRole = Qt::UserRole + 2;
}  // namespace

ModelList::ModelList(QWidget* parent) : QWidget(parent) {
    recent_ = new RecentFiles(RecentFiles::modelsKey(), RecentFiles::defaultMaximum, this);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    table_ = new QTableWidget(0, 5, this);
    table_->setObjectName(QStringLiteral("modelTable"));
    table_->setHorizontalHeaderLabels({tr("Name"), tr("Architecture"), tr("Parameters"), tr("Dtype"), tr("Size on disk")});
    table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    table_->verticalHeader()->hide();
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setToolTip(tr("Models found in your Hugging Face cache and in folders you added"));
    addDemoRow();
    connect(table_, &QTableWidget::itemSelectionChanged, this, [this] {
        // Picking a model is using it: it heads the recent list (the demo is always listed anyway).
        if (!demoSelected() && !selectedFolder().isEmpty()) recent_->add(selectedFolder());
        Q_EMIT selectionChanged();
    });

    auto* buttons = new QHBoxLayout;
    addButton_ = new QPushButton(tr("&Add Folder…"), this);
    addButton_->setObjectName(QStringLiteral("addModelFolder"));
    addButton_->setToolTip(tr("Add a Hugging Face model folder (config.json + safetensors)"));
    connect(addButton_, &QPushButton::clicked, this, &ModelList::addFolderWithDialog);
    recentButton_ = new QToolButton(this);
    recentButton_->setObjectName(QStringLiteral("recentModels"));
    recentButton_->setText(tr("Recent &Models"));
    recentButton_->setToolTip(tr("The model folders you used last"));
    recentButton_->setPopupMode(QToolButton::InstantPopup);
    recentButton_->setToolButtonStyle(Qt::ToolButtonTextOnly);
    recentMenu_ = new RecentMenu(tr("Recent Models"), recent_, recentButton_);
    recentButton_->setMenu(recentMenu_);
    connect(recentMenu_, &RecentMenu::pathChosen, this, [this](const QString& folder) {
        QString problem;
        if (!openRecent(folder, &problem)) QMessageBox::warning(this, tr("Recent model"), problem);
    });
    buttons->addWidget(addButton_);
    buttons->addWidget(recentButton_);
    buttons->addStretch(1);
    layout->addWidget(table_, 1);
    layout->addLayout(buttons);

    for (const QString& folder : QSettings().value(QLatin1String(kModelFoldersKey)).toStringList()) addFolderPath(folder);
    catalog_ = new ModelCatalog(this);
    connect(catalog_, &ModelCatalog::modelsFound, this, &ModelList::onModelsFound);
    refresh();
}

void ModelList::addDemoRow() {
    table_->insertRow(0);
    auto* name = new QTableWidgetItem(tr("Built-in demo"));
    name->setData(kDemoRole, true);
    name->setToolTip(tr("A tiny GPT-2-shaped model shipped with Capsule and a two-choice sentiment task: "
                        "trains in seconds on any CPU, no downloads"));
    table_->setItem(0, 0, name);
    const QString cells[] = {QStringLiteral("gpt2"), tr("tiny"), QStringLiteral("float32"), tr("< 1 MB")};
    for (int column = 1; column < table_->columnCount(); ++column) table_->setItem(0, column, new QTableWidgetItem(cells[column - 1]));
}

bool ModelList::hasSelection() const {
    const int row = table_->currentRow();
    return row >= 0 && table_->item(row, 0);
}

bool ModelList::demoSelected() const {
    return hasSelection() && table_->item(table_->currentRow(), 0)->data(kDemoRole).toBool();
}

void ModelList::selectDemo() {
    table_->selectRow(0);
    table_->setCurrentCell(0, 0);
}

QString ModelList::selectedFolder() const {
    if (!hasSelection() || demoSelected()) return {};
    return table_->item(table_->currentRow(), 0)->data(Qt::UserRole).toString();
}

qint64 ModelList::selectedParameterCount() const {
    return hasSelection() ? table_->item(table_->currentRow(), 0)->data(kParametersRole).toLongLong() : 0;
}

int ModelList::rowOf(const QString& path) const {
    for (int row = 0; row < table_->rowCount(); ++row)
        if (table_->item(row, 0) && table_->item(row, 0)->data(Qt::UserRole).toString() == path) return row;
    return -1;
}

void ModelList::rememberFolder(const QString& folder) {
    QSettings settings;
    QStringList folders = settings.value(QLatin1String(kModelFoldersKey)).toStringList();
    if (!folders.contains(folder)) folders.append(folder);
    settings.setValue(QLatin1String(kModelFoldersKey), folders);
}

void ModelList::addFolderWithDialog() {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Add a model folder"), QDir::homePath());
    if (folder.isEmpty()) return;
    addFolderPath(folder);
    rememberFolder(folder);
    recent_->add(folder);
    refresh();
}

void ModelList::addFolderPath(const QString& path) {
    if (path.isEmpty() || rowOf(path) >= 0) return;
    const int row = table_->rowCount();
    table_->insertRow(row);
    auto* name = new QTableWidgetItem(QFileInfo(path).fileName());
    name->setData(Qt::UserRole, path);
    name->setToolTip(path);
    table_->setItem(row, 0, name);
    for (int column = 1; column < table_->columnCount(); ++column) table_->setItem(row, column, new QTableWidgetItem(QStringLiteral("—")));
}

void ModelList::selectFolder(const QString& path) {
    addFolderPath(path);
    const int row = rowOf(path);
    if (row < 0) return;
    table_->selectRow(row);
    table_->setCurrentCell(row, 0);
}

bool ModelList::openRecent(const QString& folder, QString* problem) {
    if (!QFileInfo(QDir(folder).filePath(QStringLiteral("config.json"))).isFile()) {
        recent_->remove(folder);
        if (problem) *problem = tr("The model folder %1 is gone or has no config.json; it was removed from the recent models.")
                                    .arg(QDir::toNativeSeparators(folder));
        return false;
    }
    if (rowOf(folder) < 0) {
        // Not from the hub cache scan: keep it listed like an added folder.
        rememberFolder(folder);
        selectFolder(folder);
        refresh();
    } else {
        selectFolder(folder);
    }
    return true;
}

void ModelList::refresh() {
    QStringList folders = QSettings().value(QLatin1String(kModelFoldersKey)).toStringList();
    // The demo row shows the shipped model's real numbers too.
    const QString demo = demoModelFolderForEstimate();
    if (!demo.isEmpty()) folders.prepend(demo);
    catalog_->refresh(folders);
}

void ModelList::onModelsFound(const QVector<ModelEntry>& models) {
    const QString demoFolder = demoModelFolderForEstimate();
    bool selectedInspected = false;
    for (const ModelEntry& model : models) {
        if (!demoFolder.isEmpty() && QFileInfo(model.path).canonicalFilePath() == QFileInfo(demoFolder).canonicalFilePath()) {
            const QString cells[] = {model.architecture, QLocale().toString(model.parameterCount), model.dtype,
                                     QLocale().formattedDataSize(model.sizeOnDiskBytes)};
            for (int column = 1; column < table_->columnCount(); ++column) table_->item(0, column)->setText(cells[column - 1]);
            continue;
        }
        int row = rowOf(model.path);
        if (row < 0) {
            row = table_->rowCount();
            table_->insertRow(row);
            for (int column = 0; column < table_->columnCount(); ++column) table_->setItem(row, column, new QTableWidgetItem);
        }
        QTableWidgetItem* name = table_->item(row, 0);
        name->setText(model.name);
        name->setData(Qt::UserRole, model.path);
        const bool firstInspection = name->data(kParametersRole).toLongLong() == 0;
        name->setData(kParametersRole, model.parameterCount);
        if (firstInspection && row == table_->currentRow()) selectedInspected = true;
        const QString tip = model.supported ? QDir::toNativeSeparators(model.path)
                                            : tr("%1\nNot usable: %2").arg(QDir::toNativeSeparators(model.path), model.problem);
        const QString cells[] = {model.name, model.architecture,
                                 model.parameterCount > 0 ? QLocale().toString(model.parameterCount) : QStringLiteral("—"),
                                 model.dtype.isEmpty() ? QStringLiteral("—") : model.dtype,
                                 QLocale().formattedDataSize(model.sizeOnDiskBytes)};
        for (int column = 0; column < table_->columnCount(); ++column) {
            QTableWidgetItem* item = table_->item(row, column);
            item->setText(cells[column]);
            item->setToolTip(tip);
            item->setForeground(model.supported ? QBrush() : palette().brush(QPalette::Disabled, QPalette::Text));
        }
    }
    // An added folder that holds models (not one itself) is now listed by its models.
    QSet<QString> found;
    for (const ModelEntry& model : models) found.insert(model.path);
    for (int row = table_->rowCount() - 1; row >= 0; --row) {
        const QTableWidgetItem* name = table_->item(row, 0);
        const QString path = name->data(Qt::UserRole).toString();
        if (name->data(kDemoRole).toBool() || found.contains(path) || row == table_->currentRow()) continue;
        if (!QFileInfo(QDir(path).filePath(QStringLiteral("config.json"))).isFile()) table_->removeRow(row);
    }
    if (selectedInspected) Q_EMIT selectedModelInspected();
}

}  // namespace capsule::ui
