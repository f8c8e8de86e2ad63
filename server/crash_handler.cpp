// Crash handler: async-signal-safe as far as reasonable: everything is allocated at install time, the raw trace
// is written with write(2) before anything riskier (demangling may allocate) is tried.
#include "server/crash_handler.hpp"

#include <cxxabi.h>
#include <elf.h>
#include <execinfo.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace medley::server {
namespace {

constexpr int kSignals[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
constexpr int kMaxFrames = 64;

struct FunctionSymbol {
  uintptr_t start;  // run-time address
  size_t size;
  uint32_t name;    // offset into strtab
};

// Filled at install, read only in the handler.
struct SymbolTable {
  std::vector<FunctionSymbol> functions;  // sorted by start
  std::string strtab;

  const FunctionSymbol* find(uintptr_t pc) const {
    auto it = std::upper_bound(functions.begin(), functions.end(), pc,
                               [](uintptr_t a, const FunctionSymbol& f) { return a < f.start; });
    if (it == functions.begin()) return nullptr;
    --it;
    return pc < it->start + it->size ? &*it : nullptr;
  }
};

SymbolTable* g_symbols = nullptr;
int g_log_fd = -1;
char* g_demangle_buf = nullptr;
size_t g_demangle_cap = 0;
std::atomic<bool> g_in_handler{false};
// In .bss rather than malloc'ed: stays reachable, and is there before anything can fail.
alignas(16) char g_alt_stack[64 * 1024];

// ---- reading our own .symtab (not async-signal-safe; runs at install)

bool pread_all(int fd, void* buf, size_t len, off_t off) {
  auto* p = static_cast<char*>(buf);
  while (len > 0) {
    const ssize_t n = ::pread(fd, p, len, off);
    if (n <= 0) return false;
    p += n;
    len -= static_cast<size_t>(n);
    off += n;
  }
  return true;
}

int find_main_bias(dl_phdr_info* info, size_t, void* data) {
  // The first object dl_iterate_phdr reports is the executable itself.
  *static_cast<uintptr_t*>(data) = info->dlpi_addr;
  return 1;
}

void load_symbols(SymbolTable& table) {
  const int fd = ::open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  Elf64_Ehdr eh{};
  if (!pread_all(fd, &eh, sizeof eh, 0) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
      eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0) {
    ::close(fd);
    return;
  }
  std::vector<Elf64_Shdr> sections(eh.e_shnum);
  if (!pread_all(fd, sections.data(), sections.size() * sizeof(Elf64_Shdr), static_cast<off_t>(eh.e_shoff))) {
    ::close(fd);
    return;
  }
  uintptr_t bias = 0;
  dl_iterate_phdr(find_main_bias, &bias);
  for (const auto& sh : sections) {
    if (sh.sh_type != SHT_SYMTAB || sh.sh_link >= sections.size() || sh.sh_entsize != sizeof(Elf64_Sym)) continue;
    const auto& str = sections[sh.sh_link];
    std::vector<Elf64_Sym> syms(sh.sh_size / sizeof(Elf64_Sym));
    table.strtab.resize(str.sh_size);
    if (!pread_all(fd, syms.data(), syms.size() * sizeof(Elf64_Sym), static_cast<off_t>(sh.sh_offset)) ||
        !pread_all(fd, table.strtab.data(), table.strtab.size(), static_cast<off_t>(str.sh_offset))) {
      table.strtab.clear();
      break;
    }
    if (!table.strtab.empty()) table.strtab.back() = '\0';
    for (const auto& s : syms) {
      if (ELF64_ST_TYPE(s.st_info) != STT_FUNC || s.st_size == 0 || s.st_value == 0 || s.st_name >= str.sh_size) {
        continue;
      }
      table.functions.push_back({bias + s.st_value, s.st_size, s.st_name});
    }
    break;
  }
  ::close(fd);
  std::sort(table.functions.begin(), table.functions.end(),
            [](const FunctionSymbol& a, const FunctionSymbol& b) { return a.start < b.start; });
}

// ---- async-signal-safe output

void write_all(int fd, const char* s, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<size_t>(w);
  }
}

struct Out {
  char buf[1024];
  size_t len = 0;

  void put(const char* s, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      if (len == sizeof buf) flush();
      buf[len++] = s[i];
    }
  }
  void put(const char* s) { put(s, std::strlen(s)); }
  void dec(uint64_t v, int min_width = 1) {
    char tmp[24];
    int i = 0;
    do {
      tmp[i++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0 || i < min_width);
    while (i > 0) put(&tmp[--i], 1);
  }
  void hex(uint64_t v) {
    char tmp[18];
    int i = 0;
    do {
      tmp[i++] = "0123456789abcdef"[v & 15];
      v >>= 4;
    } while (v != 0);
    put("0x");
    while (i > 0) put(&tmp[--i], 1);
  }
  void flush() {
    write_all(STDERR_FILENO, buf, len);
    if (g_log_fd >= 0) write_all(g_log_fd, buf, len);
    len = 0;
  }
};

void put_utc_time(Out& out) {
  const time_t t = ::time(nullptr);
  // Civil date from days since the epoch (H. Hinnant's algorithm): gmtime is not async-signal-safe.
  int64_t days = t / 86400;
  int64_t secs = t % 86400;
  days += 719468;
  const int64_t era = days / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  out.dec(static_cast<uint64_t>(y), 4);
  out.put("-");
  out.dec(static_cast<uint64_t>(m), 2);
  out.put("-");
  out.dec(static_cast<uint64_t>(d), 2);
  out.put("T");
  out.dec(static_cast<uint64_t>(secs / 3600), 2);
  out.put(":");
  out.dec(static_cast<uint64_t>(secs / 60 % 60), 2);
  out.put(":");
  out.dec(static_cast<uint64_t>(secs % 60), 2);
  out.put("Z");
}

const char* signal_name(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV (segmentation fault)";
    case SIGABRT: return "SIGABRT (aborted)";
    case SIGBUS: return "SIGBUS (bus error)";
    case SIGFPE: return "SIGFPE (arithmetic exception)";
    case SIGILL: return "SIGILL (illegal instruction)";
    default: return "fatal signal";
  }
}

void on_fatal_signal(int sig, siginfo_t* info, void*) {
  if (g_in_handler.exchange(true)) {
    // Another thread crashed too; the first one reports and ends the process.
    for (;;) ::pause();
  }
  const int saved_errno = errno;

  Out out;
  out.put("\n");
  put_utc_time(out);
  out.put(" medley crashed: ");
  out.put(signal_name(sig));
  out.put(", pid ");
  out.dec(static_cast<uint64_t>(::getpid()));
  out.put(", thread ");
  out.dec(static_cast<uint64_t>(::syscall(SYS_gettid)));
  if (sig != SIGABRT && info != nullptr) {
    out.put(", address ");
    out.hex(reinterpret_cast<uintptr_t>(info->si_addr));
  }
  out.put("\nStack trace (most recent call first):\n");
  out.flush();

  void* frames[kMaxFrames];
  const int n = ::backtrace(frames, kMaxFrames);
  for (int i = 0; i < n; ++i) {
    const auto pc = reinterpret_cast<uintptr_t>(frames[i]);
    out.put("#");
    out.dec(static_cast<uint64_t>(i));
    out.put(i < 10 ? "  " : " ");
    // Return addresses point after the call, which may be past the caller's last byte (a call to a noreturn
    // function ends it): look up pc - 1, which lies inside the call instruction.
    const FunctionSymbol* fn = g_symbols != nullptr && pc != 0 ? g_symbols->find(pc - 1) : nullptr;
    if (fn == nullptr) {
      // Shared libraries export their symbols; backtrace_symbols_fd writes without allocating.
      out.flush();
      ::backtrace_symbols_fd(&frames[i], 1, STDERR_FILENO);
      if (g_log_fd >= 0) ::backtrace_symbols_fd(&frames[i], 1, g_log_fd);
      continue;
    }
    const char* mangled = g_symbols->strtab.data() + fn->name;
    const char* shown = mangled;
    if (mangled[0] == '_' && mangled[1] == 'Z' && g_demangle_buf != nullptr) {
      // __cxa_demangle writes into our pre-allocated buffer; it may still allocate for very long names.
      int status = -1;
      size_t cap = g_demangle_cap;
      char* res = abi::__cxa_demangle(mangled, g_demangle_buf, &cap, &status);
      if (status == 0 && res != nullptr) {
        g_demangle_buf = res;
        g_demangle_cap = std::max(cap, g_demangle_cap);
        shown = res;
      }
    }
    out.hex(pc);
    out.put(" in ");
    out.put(shown);
    out.put(" + ");
    out.hex(pc - fn->start);
    out.put("\n");
  }
  out.put("-- end of stack trace\n");
  out.flush();

  errno = saved_errno;
  // The action was reset to the default on entry (SA_RESETHAND); re-raising keeps exit status and core dump.
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

void install_crash_handler(const std::filesystem::path& errors_log) {
  if (g_symbols == nullptr) {
    g_symbols = new SymbolTable;
    load_symbols(*g_symbols);
    g_demangle_cap = 16 * 1024;
    g_demangle_buf = static_cast<char*>(std::malloc(g_demangle_cap));
    // The first backtrace() loads libgcc_s (it allocates); do it now rather than in the handler.
    void* dummy[2];
    ::backtrace(dummy, 2);
    // A stack overflow leaves no stack to run the handler on.
    stack_t ss{};
    ss.ss_sp = g_alt_stack;
    ss.ss_size = sizeof g_alt_stack;
    ::sigaltstack(&ss, nullptr);
  }
  if (!errors_log.empty()) {
    const int fd = ::open(errors_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    const int old = g_log_fd;
    g_log_fd = fd;
    if (old >= 0) ::close(old);
  }
  struct sigaction sa {};
  sa.sa_sigaction = on_fatal_signal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  for (int sig : kSignals) ::sigaction(sig, &sa, nullptr);
}

}  // namespace medley::server
