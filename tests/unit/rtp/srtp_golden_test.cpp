// Frozen SRTP/SRTCP packets for every profile, produced by libsrtp2 2.5.0 and stored under tests/data/srtp/
// (a .txt beside each .bin says what is in it): our transform must reproduce them byte for byte and recover the
// plaintext, so a regression shows even where libsrtp2 is not installed or changes.
// Regenerate (from libsrtp2) with MEDLEY_SRTP_REGEN=1.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "srtp_test_util.hpp"

namespace medley::rtp {
namespace {

std::string path(SrtpProfile p, const char* kind, const char* ext) {
  return std::string(MEDLEY_TEST_DATA) + "/srtp/" + std::string(name(p)) + "_" + kind + "." + ext;
}

std::vector<uint8_t> read(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The master key/salt are test::test_keys(profile, 42); the packets are these.
std::vector<uint8_t> golden_rtp() {
  return test::make_rtp({.ssrc = 0xDEADBEEF, .seq = 0xFFFE, .timestamp = 0x11223344, .payload_type = 111,
                         .payload_len = 60, .csrc_count = 2, .extension_words = 2, .padding = 4});
}
std::vector<uint8_t> golden_rtcp() { return test::make_rtcp(0xDEADBEEF, 2); }

void write_dissection(SrtpProfile p, const char* kind, const test::TestKeys& k, size_t plain_len, size_t wire_len) {
  std::ofstream out(path(p, kind, "txt"));
  const auto& info = profile_info(p);
  out << name(p) << " " << kind << " packet protected by libsrtp2 2.5.0 (first packet of its SSRC)\n"
      << "master key:  " << test::hex(k.key) << "\nmaster salt: " << test::hex(k.salt) << "\n";
  if (std::string_view(kind) == "rtp") {
    out << "RTP: V=2 P=1 X=1 CC=2 M=0 PT=111 seq=0xfffe ts=0x11223344 SSRC=0xdeadbeef, CSRCs c0c1c2c3 c4c5c6c7,\n"
        << "extension 0xBEDE length 2 words, 60-byte payload ending in padding count 4. ROC 0.\n"
        << "bytes 0-31 clear header (GCM: the AAD), 32-" << plain_len - 1 << " encrypted payload, then the "
        << info.rtp_tag_len << "-byte tag: " << wire_len << " bytes in all.\n";
  } else {
    out << "RTCP compound: SR (SSRC 0xdeadbeef, 2 report blocks) + SDES CNAME \"medle\", " << plain_len << " bytes.\n"
        << "bytes 0-7 clear (first header + sender SSRC), the rest encrypted; then "
        << (info.aead ? "the 16-byte tag and E|index 0x80000001" : "E|index 0x80000001 and the 10-byte tag") << ": "
        << wire_len << " bytes in all.\n";
  }
}

class SrtpGolden : public ::testing::TestWithParam<SrtpProfile> {};
INSTANTIATE_TEST_SUITE_P(AllProfiles, SrtpGolden, ::testing::ValuesIn(kAllSrtpProfiles),
                         [](const auto& info) { return std::string(name(info.param)); });

TEST_P(SrtpGolden, MatchesFrozenLibsrtp2Output) {
  const SrtpProfile p = GetParam();
  const auto keys = test::test_keys(p, 42);
  const bool regen = std::getenv("MEDLEY_SRTP_REGEN") != nullptr;
  for (const char* kind : {"rtp", "rtcp"}) {
    SCOPED_TRACE(kind);
    const bool rtp = std::string_view(kind) == "rtp";
    const auto plain = rtp ? golden_rtp() : golden_rtcp();
    auto tx = test::make_sender(p, regen ? SrtpBackend::LibSrtp2 : SrtpBackend::OpenSsl, keys);
    test::Packet pk(plain);
    auto n = rtp ? tx.protect_rtp(pk.span(), pk.len) : tx.protect_rtcp(pk.span(), pk.len);
    ASSERT_TRUE(n.ok());
    pk.len = *n;
    if (regen) {
      std::ofstream(path(p, kind, "bin"), std::ios::binary)
          .write(reinterpret_cast<const char*>(pk.buf.data()), static_cast<std::streamsize>(pk.len));
      write_dissection(p, kind, keys, plain.size(), pk.len);
    }
    const auto frozen = read(path(p, kind, "bin"));
    ASSERT_FALSE(frozen.empty()) << path(p, kind, "bin");
    EXPECT_EQ(test::hex(pk.bytes()), test::hex(frozen));

    auto rx = test::make_receiver(p, SrtpBackend::OpenSsl, keys);
    test::Packet in(frozen);
    auto m = rtp ? rx.unprotect_rtp(in.span(), in.len) : rx.unprotect_rtcp(in.span(), in.len);
    ASSERT_TRUE(m.ok());
    in.len = *m;
    EXPECT_EQ(in.bytes(), plain);
  }
}

}  // namespace
}  // namespace medley::rtp
