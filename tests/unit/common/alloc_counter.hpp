// Counts every heap allocation of a test binary: C++ operator new and OpenSSL's (through its memory hooks).
// Include it in exactly one .cpp of a test binary (it defines the global operator new/delete); read g_allocs
// around the code under test. ASSERT g_hooked first: OpenSSL takes hooks only before its first allocation.
#pragma once

#include <openssl/crypto.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace medley::test {

inline std::atomic<long> g_allocs{0};

inline void* counted_malloc(size_t n, const char*, int) {
  ++g_allocs;
  return std::malloc(n);
}
inline void* counted_realloc(void* p, size_t n, const char*, int) {
  ++g_allocs;
  return std::realloc(p, n);
}
inline void counted_free(void* p, const char*, int) { std::free(p); }

// Installed during static initialisation, before OpenSSL's first allocation.
inline const bool g_hooked = CRYPTO_set_mem_functions(counted_malloc, counted_realloc, counted_free) == 1;

}  // namespace medley::test

// Replacing the global operator new/delete pair with malloc/free is legal; GCC cannot see that they pair up.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(size_t n) {
  ++medley::test::g_allocs;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
