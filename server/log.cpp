// Logging set-up: one spdlog logger per category sharing the same sinks, levels from a GST_DEBUG-style spec.
#include "server/log.hpp"

#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace medley::server::log {
namespace {

constexpr const char* kPattern = "%Y-%m-%dT%H:%M:%S.%f%z %P %t %^%-8l%$ %-7n %v";

struct State {
  std::mutex mu;
  std::map<std::string, std::shared_ptr<spdlog::logger>, std::less<>> loggers;
  std::vector<spdlog::sink_ptr> sinks;
  LevelSpec spec;
  std::filesystem::path errors_log;
};

State& state() {
  static State* s = new State;  // never destroyed: loggers may be used from static destructors
  return *s;
}

std::vector<spdlog::sink_ptr> default_sinks() {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  sink->set_pattern(kPattern);
  return {sink};
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<Level> parse_level(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
    if (text.size() > 2) return std::nullopt;
    switch (std::stoi(std::string(text))) {
      case 0: return Level::off;
      case 1: return Level::err;
      case 2: return Level::warn;
      case 3: return Level::info;  // GStreamer's FIXME: spdlog has nothing between warn and info
      case 4: return Level::info;
      case 5: return Level::debug;
      default: return Level::trace;
    }
  }
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "none" || lower == "off") return Level::off;
  if (lower == "error" || lower == "err") return Level::err;
  if (lower == "warning" || lower == "warn") return Level::warn;
  if (lower == "fixme" || lower == "info") return Level::info;
  if (lower == "debug") return Level::debug;
  if (lower == "log" || lower == "trace") return Level::trace;
  return std::nullopt;
}

base::Result<LevelSpec, std::string> LevelSpec::parse(std::string_view spec) {
  LevelSpec out;
  while (!spec.empty()) {
    const auto comma = spec.find(',');
    const auto item = trim(spec.substr(0, comma));
    spec.remove_prefix(comma == std::string_view::npos ? spec.size() : comma + 1);
    if (item.empty()) continue;
    const auto colon = item.rfind(':');
    if (colon == std::string_view::npos) {
      const auto level = parse_level(item);
      if (!level) {
        return fmt::format("'{}': expected a level 0..9 or a name (none, error, warning, info, debug, trace)", item);
      }
      out.default_level = level;
      continue;
    }
    const auto pattern = trim(item.substr(0, colon));
    const auto level = parse_level(item.substr(colon + 1));
    const bool pattern_ok = !pattern.empty() && std::all_of(pattern.begin(), pattern.end(), [](unsigned char c) {
      return std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == '*' || c == '?';
    });
    if (!pattern_ok || !level) {
      return fmt::format("'{}': expected <category>:<level>, e.g. 'ice:5' (level 0..9 or a name)", item);
    }
    out.overrides.emplace_back(std::string(pattern), *level);
  }
  return out;
}

void LevelSpec::merge(const LevelSpec& over) {
  if (over.default_level) default_level = over.default_level;
  overrides.insert(overrides.end(), over.overrides.begin(), over.overrides.end());
}

Level LevelSpec::level_for(std::string_view category, Level fallback) const {
  Level level = default_level.value_or(fallback);
  const std::string name(category);
  for (const auto& [pattern, l] : overrides) {
    if (::fnmatch(pattern.c_str(), name.c_str(), 0) == 0) level = l;
  }
  return level;
}

std::shared_ptr<spdlog::logger> get(std::string_view category) {
  auto& s = state();
  std::lock_guard lock(s.mu);
  if (auto it = s.loggers.find(category); it != s.loggers.end()) return it->second;
  if (s.sinks.empty()) s.sinks = default_sinks();
  auto logger = std::make_shared<spdlog::logger>(std::string(category), s.sinks.begin(), s.sinks.end());
  logger->set_level(s.spec.level_for(category));
  logger->flush_on(Level::warn);
  s.loggers.emplace(std::string(category), logger);
  return logger;
}

void init(const Options& options) {
  auto env = LevelSpec::parse(options.env_spec);
  if (!env) throw std::runtime_error("MEDLEY_LOG: " + env.error());
  auto cli = LevelSpec::parse(options.cli_spec);
  if (!cli) throw std::runtime_error("--log-level: " + cli.error());
  LevelSpec spec = *env;
  spec.merge(*cli);

  std::vector<spdlog::sink_ptr> sinks;
  if (options.to_stderr) sinks = default_sinks();
  std::filesystem::path errors_log;
  if (!options.log_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.log_dir, ec);
    if (ec) {
      throw std::runtime_error(
          fmt::format("--log-dir = '{}': cannot create the directory: {}", options.log_dir.string(), ec.message()));
    }
    try {
      auto file = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
          (options.log_dir / "medley.log").string(), options.file_size_bytes, options.file_count);
      file->set_pattern(kPattern);
      sinks.push_back(file);
    } catch (const spdlog::spdlog_ex& e) {
      throw std::runtime_error(fmt::format("--log-dir = '{}': {}", options.log_dir.string(), e.what()));
    }
    errors_log = options.log_dir / "errors.log";
  }

  {
    auto& s = state();
    std::lock_guard lock(s.mu);
    s.sinks = sinks;
    s.spec = spec;
    s.errors_log = errors_log;
    for (auto& [name, logger] : s.loggers) {
      logger->sinks() = sinks;
      logger->set_level(spec.level_for(name));
    }
  }
  for (auto name : kCategories) get(name);

  // Kurento marks each start in its logs and in errors.log, so crash traces can be told apart by run.
  const auto now = fmt::localtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()));
  const auto line = fmt::format("{:%Y-%m-%dT%H:%M:%S%z} -- New execution (medley pid {})", now, ::getpid());
  if (!errors_log.empty()) {
    std::ofstream out(errors_log, std::ios::app);
    out << line << '\n';
    if (!out) throw std::runtime_error(fmt::format("{}: cannot be written", errors_log.string()));
  }
  // The marker shows unless logging is off altogether, whatever the main category's level.
  auto main = get("main");
  if (const auto saved = main->level(); saved != Level::off) {
    main->set_level(Level::trace);
    main->info("-- New execution");
    main->set_level(saved);
  }
}

void shutdown() {
  auto& s = state();
  std::lock_guard lock(s.mu);
  for (auto& [name, logger] : s.loggers) logger->flush();
  s.sinks = default_sinks();
  for (auto& [name, logger] : s.loggers) logger->sinks() = s.sinks;
  s.errors_log.clear();
}

std::filesystem::path errors_log_path() {
  auto& s = state();
  std::lock_guard lock(s.mu);
  return s.errors_log;
}

}  // namespace medley::server::log
