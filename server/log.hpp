// Logging: spdlog loggers per category, levels set GST_DEBUG-style ("3,ice:5,router:4"), stderr and rotating file.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/spdlog.h>

#include "rtp/base/result.hpp"

namespace medley::server::log {

using Level = spdlog::level::level_enum;

// A parsed level spec: a default level (the bare number) and per-category overrides, in order; later entries
// win. Category patterns may use '*' and '?' as in GST_DEBUG ("web*:5").
struct LevelSpec {
  std::optional<Level> default_level;
  std::vector<std::pair<std::string, Level>> overrides;

  static base::Result<LevelSpec, std::string> parse(std::string_view spec);
  // `over` applied on top of this (its bare number, if any, replaces ours; its overrides come after ours).
  void merge(const LevelSpec& over);
  Level level_for(std::string_view category, Level fallback = Level::info) const;
};

// GST_DEBUG's numbers on spdlog's levels: 0 none, 1 error, 2 warning, 3 (FIXME) and 4 (INFO) info, 5 debug,
// 6 and up trace. Names work too: none/off, error, warning/warn, info, debug, trace.
std::optional<Level> parse_level(std::string_view text);

// The categories the server uses; others are created on first use.
inline constexpr std::string_view kCategories[] = {"main", "config", "ws", "rpc",  "media", "webrtc",
                                                   "ice",  "dtls",   "sctp", "srtp", "rtp",  "router"};

struct Options {
  std::string env_spec;            // usually getenv("MEDLEY_LOG")
  std::string cli_spec;            // --log-level, applied over env_spec
  std::filesystem::path log_dir;   // empty = stderr only
  size_t file_size_bytes = 100u << 20;
  size_t file_count = 10;
  bool to_stderr = true;
};

// Installs the sinks and levels on every category logger (existing ones included) and writes the dated
// "-- New execution" line to the log and to errors.log. Throws std::runtime_error on a bad spec or an unusable
// log dir. Call once at start-up, before other threads log.
void init(const Options& options);

// The logger of one category; cheap to keep in a static. Before init() it logs at info level to stderr.
std::shared_ptr<spdlog::logger> get(std::string_view category);

// Flushes and drops the file sinks (tests, exit).
void shutdown();

// Path of errors.log in the log dir, or empty.
std::filesystem::path errors_log_path();

}  // namespace medley::server::log
