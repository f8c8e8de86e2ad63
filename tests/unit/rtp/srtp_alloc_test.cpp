// The steady-state SRTP path allocates nothing: counts C++ allocations and OpenSSL's (through its memory hooks)
// while our transform protects and unprotects packets of known SSRCs.
#include <gtest/gtest.h>

#include "../common/alloc_counter.hpp"
#include <openssl/crypto.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "srtp_test_util.hpp"

using medley::test::g_allocs;
using medley::test::g_hooked;

namespace medley::rtp {
namespace {

TEST(SrtpAlloc, SteadyStateAllocatesNothing) {
  ASSERT_TRUE(g_hooked) << "OpenSSL allocated before the hooks; the count would miss its allocations";
  for (SrtpProfile p : kAllSrtpProfiles) {
    SCOPED_TRACE(name(p));
    auto keys = test::test_keys(p, 9);
    const long at_start = g_allocs.load();
    auto tx = test::make_sender(p, SrtpBackend::OpenSsl, keys);
    ASSERT_GT(g_allocs.load(), at_start) << "the counters see nothing: the zero below would prove nothing";
    auto rx = test::make_receiver(p, SrtpBackend::OpenSsl, keys);
    std::vector<uint8_t> buf(1400);
    auto run = [&](uint16_t first, int count) {
      for (int i = 0; i < count; ++i) {
        for (uint32_t ssrc : {1u, 2u, 3u}) {
          auto plain = test::make_rtp({.ssrc = ssrc, .seq = static_cast<uint16_t>(first + i), .payload_len = 1000});
          auto rtcp = test::make_rtcp(ssrc, 1);
          const long before = g_allocs.load();
          std::copy(plain.begin(), plain.end(), buf.begin());
          auto n = tx.protect_rtp(buf, plain.size());
          auto m = rx.unprotect_rtp(buf, n.ok() ? *n : 0);
          std::copy(rtcp.begin(), rtcp.end(), buf.begin());
          auto k = tx.protect_rtcp(buf, rtcp.size());
          auto l = rx.unprotect_rtcp(buf, k.ok() ? *k : 0);
          const long during = g_allocs.load() - before;
          ASSERT_TRUE(n.ok() && m.ok() && k.ok() && l.ok());
          if (first != 0) {
            ASSERT_EQ(during, 0) << "seq " << first + i << " ssrc " << ssrc;
          }
        }
      }
    };
    run(0, 2);         // first packets of each SSRC create their state
    run(65530, 100);   // steady state, across the ROC wrap
  }
}

}  // namespace
}  // namespace medley::rtp
