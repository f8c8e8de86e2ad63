// The crash handler: on SIGSEGV/SIGABRT/SIGBUS/SIGFPE/SIGILL, a symbolized stack trace appended to errors.log.
#pragma once

#include <filesystem>

namespace medley::server {

// Installs the handler for the fatal signals. The trace goes to stderr and, when errors_log is not empty, is
// appended to that file (opened now, so a crash needs no path lookups); then the signal is re-raised with its
// default action, so exit status and core dumps stay as without the handler. Symbol names come from the
// executable's own ELF symbol table, read once here, so no -rdynamic is needed; other frames fall back to
// backtrace_symbols_fd. Calling it again replaces the target file.
void install_crash_handler(const std::filesystem::path& errors_log);

}  // namespace medley::server
