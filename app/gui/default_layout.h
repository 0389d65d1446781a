// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The default dock layout, as data (hotspot style): where each dock goes, which
// dock it is tabbed with, and its initial size. Window ▸ Reset to Default
// Layout re-applies exactly this table.
#include <Qt>

namespace faultline::gui {

struct DockSlot {
    const char* objectName;
    const char* title;
    Qt::DockWidgetArea area;
    const char* tabWith;  // nullptr: its own place in the area
    int size;             // width (left/right) or height (bottom), pixels
};

// Sizes are for a 1600×1000 window; resetLayout() scales them to the window
// so the memory map (the centre) keeps at least half of each direction.
inline constexpr DockSlot kDefaultLayout[] = {
    {"dockTasks", "Tasks", Qt::LeftDockWidgetArea, nullptr, 380},
    {"dockVmas", "VMAs", Qt::LeftDockWidgetArea, nullptr, 380},
    {"dockUffd", "userfaultfd", Qt::LeftDockWidgetArea, "dockVmas", 380},
    {"dockBreakpoints", "Breakpoints", Qt::LeftDockWidgetArea, "dockVmas", 380},
    {"dockCode", "Code", Qt::RightDockWidgetArea, nullptr, 440},
    {"dockDetails", "Details", Qt::RightDockWidgetArea, nullptr, 440},
    {"dockTrace", "Trace", Qt::BottomDockWidgetArea, nullptr, 300},
    {"dockExplore", "Explore", Qt::BottomDockWidgetArea, "dockTrace", 300},
    {"dockTimeline", "Timeline", Qt::BottomDockWidgetArea, nullptr, 300},
};

// The dock shown in front of each tab group at reset.
inline constexpr const char* kRaisedDocks[] = {"dockVmas", "dockTrace"};

}  // namespace faultline::gui
