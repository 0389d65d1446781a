// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/version_text.h"

#include <QtGlobal>

#include "common/qcp.h"
#include "faultline_version.h"

namespace faultline::gui {

QString versionText() {
    // Qt is a shared library that can be newer than the headers; QCustomPlot
    // has no run-time version call, so its header's version is what we know.
    return QStringLiteral("faultline %1\nQt %2 (built with %3), QCustomPlot %4")
        .arg(QStringLiteral(FAULTLINE_VERSION), QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
             QStringLiteral(QCUSTOMPLOT_VERSION_STR));
}

}  // namespace faultline::gui
