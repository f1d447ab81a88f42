#include "widgets/about_dialog.h"

#include "controller/engine_text.h"

#include "controller/runtime_controller.h"

#include <QDialogButtonBox>
#include <QIcon>
#include <QLabel>
#include <QVBoxLayout>

namespace capsule::ui {

AboutDialog::AboutDialog(RuntimeController* runtime, QWidget* parent) : QDialog(parent) {
    setObjectName(QStringLiteral("aboutDialog"));
    setWindowTitle(tr("About Capsule"));
    auto* layout = new QVBoxLayout(this);
    auto* icon = new QLabel(this);
    icon->setPixmap(QIcon(QStringLiteral(":/icons/capsule.svg")).pixmap(64, 64));
    icon->setAlignment(Qt::AlignCenter);
    auto* text = new QLabel(this);
    text->setObjectName(QStringLiteral("aboutText"));
    text->setTextFormat(Qt::RichText);
    text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    text->setAlignment(Qt::AlignCenter);
    text->setText(tr("<h2>Capsule %1</h2>"
                     "<p>A native studio for parameter-efficient fine-tuning of language models:<br>"
                     "LoRA, AdaLoRA, (IA)³, prompt tuning, prefix tuning and P-tuning.</p>"
                     "<p>Qt %2 · LibTorch %3<br>Device: %4</p>"
                     "<p>Licensed under the GNU General Public License, version 3 or later.</p>")
                      .arg(runtime->capsuleVersion(), runtime->qtVersion(), runtime->torchVersion(),
                           localizedEngineText(runtime->deviceName())));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(icon);
    layout->addWidget(text);
    layout->addWidget(buttons);
}

}  // namespace capsule::ui
