// Real browser SDPs (tests/data/sdp): each parses and serializes back byte for byte.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "rtp/sdp/session_description.hpp"

namespace medley::rtp::sdp {
namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string to_crlf(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) out += '\r';
    out += s[i];
  }
  return out;
}

std::string lf_only(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c != '\r') out += c;
  return out;
}

class RealSdp : public ::testing::TestWithParam<std::string> {};

TEST_P(RealSdp, ParsesAndRoundTripsByteExactly) {
  std::string text = read_file(std::filesystem::path(MEDLEY_TEST_DATA) / "sdp" / GetParam());
  ASSERT_FALSE(text.empty());
  auto sdp = SessionDescription::parse(text);
  ASSERT_TRUE(sdp.ok()) << "line " << sdp.error().line << ": " << sdp.error().reason;
  EXPECT_EQ(sdp->to_string(), to_crlf(text));
}

TEST_P(RealSdp, BareLfParsesToTheSameModel) {
  std::string text = read_file(std::filesystem::path(MEDLEY_TEST_DATA) / "sdp" / GetParam());
  auto crlf = SessionDescription::parse(text);
  auto lf = SessionDescription::parse(lf_only(text));
  ASSERT_TRUE(crlf.ok());
  ASSERT_TRUE(lf.ok());
  EXPECT_EQ(*crlf, *lf);
}

INSTANTIATE_TEST_SUITE_P(Browsers, RealSdp,
                         ::testing::Values("chromium_offer.sdp", "chromium_answer.sdp", "chromium_simulcast_offer.sdp",
                                           "libwebrtc_offer.sdp", "libwebrtc_answer.sdp",
                                           "libwebrtc_simulcast_offer.sdp", "firefox121_offer.sdp",
                                           "firefox61_video_offer.sdp", "firefox58_audio_offer.sdp",
                                           "firefox58_datachannel_sctpmap_offer.sdp", "safari_offer.sdp",
                                           "safari_mac_offer.sdp"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& c : n)
                             if (c == '.' || c == '-') c = '_';
                           return n;
                         });

}  // namespace
}  // namespace medley::rtp::sdp
