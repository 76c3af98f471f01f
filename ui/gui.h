#pragma once

// The GUI entry point: parses the GUI's options, opens the main window.
namespace Gui {
int run(int &argc, char **argv);
}
