// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/versions.h"

#include "common/qcp.h"

namespace faultline::views {

QString qcustomplotVersion() { return QStringLiteral(QCUSTOMPLOT_VERSION_STR); }

}  // namespace faultline::views
