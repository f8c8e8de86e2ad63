// Log level specs (GST_DEBUG-style), logging set-up with files, and the crash handler writing to errors.log.
#include "server/log.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/crash_handler.hpp"

namespace medley::server::log {
namespace {

using ::testing::HasSubstr;

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::filesystem::path fresh_dir(std::string_view name) {
  auto dir = std::filesystem::temp_directory_path() / (std::string(name) + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir;
}

TEST(LogLevel, NumbersFollowGstDebug) {
  EXPECT_EQ(parse_level("0"), Level::off);
  EXPECT_EQ(parse_level("1"), Level::err);
  EXPECT_EQ(parse_level("2"), Level::warn);
  EXPECT_EQ(parse_level("3"), Level::info);
  EXPECT_EQ(parse_level("4"), Level::info);
  EXPECT_EQ(parse_level("5"), Level::debug);
  EXPECT_EQ(parse_level("6"), Level::trace);
  EXPECT_EQ(parse_level("9"), Level::trace);
  EXPECT_EQ(parse_level("DEBUG"), Level::debug);
  EXPECT_EQ(parse_level("warning"), Level::warn);
  EXPECT_EQ(parse_level("none"), Level::off);
  EXPECT_EQ(parse_level("trace"), Level::trace);
  EXPECT_EQ(parse_level(""), std::nullopt);
  EXPECT_EQ(parse_level("-1"), std::nullopt);
  EXPECT_EQ(parse_level("999"), std::nullopt);
  EXPECT_EQ(parse_level("loud"), std::nullopt);
}

TEST(LogLevel, SpecWithDefaultAndCategories) {
  auto spec = LevelSpec::parse("3,ice:5,router:4");
  ASSERT_TRUE(spec) << spec.error();
  EXPECT_EQ(spec->default_level, Level::info);
  EXPECT_EQ(spec->level_for("ice"), Level::debug);
  EXPECT_EQ(spec->level_for("router"), Level::info);
  EXPECT_EQ(spec->level_for("dtls"), Level::info);
  EXPECT_EQ(spec->level_for("icex"), Level::info);  // whole names, not prefixes

  auto quiet = LevelSpec::parse("ice:6, 1");
  ASSERT_TRUE(quiet);
  EXPECT_EQ(quiet->level_for("rtp"), Level::err);
  EXPECT_EQ(quiet->level_for("ice"), Level::trace);

  auto none = LevelSpec::parse("");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->level_for("rtp"), Level::info);
  EXPECT_EQ(none->level_for("rtp", Level::warn), Level::warn);
}

TEST(LogLevel, WildcardsAndLaterEntriesWin) {
  auto spec = LevelSpec::parse("2,*:5,rt?:1,rtp:6");
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->level_for("ice"), Level::debug);
  EXPECT_EQ(spec->level_for("rtc"), Level::err);
  EXPECT_EQ(spec->level_for("rtp"), Level::trace);
}

TEST(LogLevel, CliMergesOverEnv) {
  auto env = LevelSpec::parse("3,ice:5");
  auto cli = LevelSpec::parse("2,ice:1");
  ASSERT_TRUE(env && cli);
  LevelSpec merged = *env;
  merged.merge(*cli);
  EXPECT_EQ(merged.level_for("main"), Level::warn);
  EXPECT_EQ(merged.level_for("ice"), Level::err);
  auto only_cat = LevelSpec::parse("router:5");
  merged = *env;
  merged.merge(*only_cat);
  EXPECT_EQ(merged.level_for("main"), Level::info);  // env's default stays
  EXPECT_EQ(merged.level_for("router"), Level::debug);
}

TEST(LogLevel, BadSpecsAreRejectedWithTheItem) {
  for (const char* bad : {"x", "ice:", ":5", "ice:loud", "ice 5", "ice/x:3", "3,ice:99x"}) {
    auto spec = LevelSpec::parse(bad);
    EXPECT_FALSE(spec) << bad;
  }
  auto spec = LevelSpec::parse("3,ice:loud");
  ASSERT_FALSE(spec);
  EXPECT_THAT(spec.error(), HasSubstr("'ice:loud'"));
}

TEST(Logging, InitWritesNewExecutionAndAppliesLevels) {
  const auto dir = fresh_dir("medley_log_test");
  Options o;
  o.env_spec = "3,ice:5";
  o.cli_spec = "router:1";
  o.log_dir = dir;
  o.to_stderr = false;
  auto early = get("webrtc");  // loggers made before init get the sinks and levels too
  init(o);
  EXPECT_EQ(errors_log_path(), dir / "errors.log");
  EXPECT_EQ(get("ice")->level(), Level::debug);
  EXPECT_EQ(get("router")->level(), Level::err);
  EXPECT_EQ(get("main")->level(), Level::info);
  EXPECT_EQ(get("brand-new")->level(), Level::info);
  get("ice")->debug("ice debug line {}", 42);
  get("router")->info("router info line (filtered out)");
  early->warn("early logger line");
  shutdown();

  const auto errors = read_all(dir / "errors.log");
  EXPECT_THAT(errors, ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[-+][0-9]{4} -- New execution "
                                              "\\(medley pid [0-9]+\\)\n"));
  const auto main_log = read_all(dir / "medley.log");
  EXPECT_THAT(main_log, HasSubstr("-- New execution"));
  EXPECT_THAT(main_log, HasSubstr("ice debug line 42"));
  EXPECT_THAT(main_log, HasSubstr("early logger line"));
  EXPECT_THAT(main_log, ::testing::Not(HasSubstr("filtered out")));

  // A second start appends a second marker.
  init(o);
  shutdown();
  const auto errors2 = read_all(dir / "errors.log");
  EXPECT_EQ(std::count(errors2.begin(), errors2.end(), '\n'), 2);
  std::filesystem::remove_all(dir);
}

TEST(Logging, BadSpecOrDirFailsInit) {
  Options o;
  o.to_stderr = false;
  o.env_spec = "3,ice:x";
  EXPECT_THROW(init(o), std::runtime_error);
  o.env_spec = "3";
  o.log_dir = "/proc/medley-cannot-create-this";
  EXPECT_THROW(init(o), std::runtime_error);
}

// ---- crash handler: a forked child installs it and crashes on purpose.

[[gnu::noinline]] void medley_test_crash_with_abort() {
  std::abort();
}

[[gnu::noinline]] void medley_test_crash_with_segv() {
  // A real fault, not raise(): the trace must come through the kernel's signal frame. Not address 0: UBSan
  // would catch a null store before the CPU does.
  volatile int* volatile p = reinterpret_cast<int*>(uintptr_t{16});
  *p = 1;
}

std::string crash_child(const std::filesystem::path& errors_log, void (*crash)(), int expected_signal) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    medley::server::install_crash_handler(errors_log);
    crash();
    ::_exit(0);  // not reached
  }
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status)) << "status " << status;
  if (WIFSIGNALED(status)) {
    EXPECT_EQ(WTERMSIG(status), expected_signal);  // re-raised with the default action
  }
  return read_all(errors_log);
}

TEST(CrashHandler, AbortWritesSymbolizedTraceToErrorsLog) {
  const auto dir = fresh_dir("medley_crash_test");
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "errors.log") << "earlier content\n";
  const auto text = crash_child(dir / "errors.log", medley_test_crash_with_abort, SIGABRT);
  EXPECT_THAT(text, HasSubstr("earlier content\n"));  // appended, not truncated
  EXPECT_THAT(text, HasSubstr("medley crashed: SIGABRT"));
  EXPECT_THAT(text, HasSubstr("Stack trace (most recent call first):"));
  EXPECT_THAT(text, HasSubstr("medley_test_crash_with_abort()"));  // demangled, from our own symbol table
  EXPECT_THAT(text, HasSubstr("crash_child("));
  EXPECT_THAT(text, HasSubstr("-- end of stack trace"));
  std::filesystem::remove_all(dir);
}

TEST(CrashHandler, SegfaultWritesTrace) {
  const auto dir = fresh_dir("medley_crash_segv_test");
  std::filesystem::create_directories(dir);
  const auto text = crash_child(dir / "errors.log", medley_test_crash_with_segv, SIGSEGV);
  EXPECT_THAT(text, HasSubstr("medley crashed: SIGSEGV"));
  EXPECT_THAT(text, HasSubstr("address 0x10"));
  EXPECT_THAT(text, HasSubstr("medley_test_crash_with_segv()"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace medley::server::log
