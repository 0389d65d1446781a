// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What `faultline --version` prints and an About box can show: the program's
// version and the Qt and QCustomPlot it was built with.
#include <QString>

namespace faultline::gui {

// "faultline 0.1.0\nQt 6.4.2 (built with 6.4.2), QCustomPlot 2.1.0"
QString versionText();

}  // namespace faultline::gui
