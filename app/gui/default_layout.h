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

inline constexpr DockSlot kDefaultLayout[] = {
    {"dockTasks", "Tasks", Qt::LeftDockWidgetArea, nullptr, 430},
    {"dockVmas", "VMAs", Qt::LeftDockWidgetArea, nullptr, 430},
    {"dockUffd", "userfaultfd", Qt::LeftDockWidgetArea, "dockVmas", 430},
    {"dockBreakpoints", "Breakpoints", Qt::LeftDockWidgetArea, "dockVmas", 430},
    {"dockCode", "Code", Qt::RightDockWidgetArea, nullptr, 560},
    {"dockTrace", "Trace", Qt::BottomDockWidgetArea, nullptr, 340},
    {"dockExplore", "Explore", Qt::BottomDockWidgetArea, "dockTrace", 340},
    {"dockTimeline", "Timeline", Qt::BottomDockWidgetArea, nullptr, 340},
};

// The dock shown in front of each tab group at reset.
inline constexpr const char* kRaisedDocks[] = {"dockVmas", "dockTrace"};

}  // namespace faultline::gui
