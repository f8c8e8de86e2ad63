// Real STUN binding requests and responses captured from libwebrtc, checked with the passwords from its SDPs,
// and rebuilt byte for byte by StunWriter.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ice/stun_writer.hpp"
#include "tests/unit/ice/stun_test_util.hpp"

namespace medley::ice {
namespace {

using test::parse_ok;
using test::read_stun_data;

std::string sdp_value(const std::string& file, std::string_view key) {
  const auto bytes = read_stun_data(file);
  const std::string sdp(bytes.begin(), bytes.end());
  const std::string needle = "a=" + std::string(key) + ":";
  const size_t at = sdp.find(needle);
  if (at == std::string::npos) return {};
  const size_t end = sdp.find_first_of("\r\n", at);
  return sdp.substr(at + needle.size(), end - at - needle.size());
}

struct Capture {
  const char* file;
  bool to_offerer;  // the request went to the offerer / the response came from it: its password keys it
  bool request;
  bool controlling;
  bool use_candidate;
  const char* mapped;  // success responses
};

const Capture kCaptures[] = {
    {"libwebrtc_ipv6_request_controlled.bin", true, true, false, false, nullptr},
    {"libwebrtc_ipv6_success.bin", true, false, false, false, "[fd00::2]:53075"},
    {"libwebrtc_ipv6_request_controlling_use_candidate.bin", false, true, true, true, nullptr},
    {"libwebrtc_ipv6_success_2.bin", false, false, false, false, "[fd00::2]:55379"},
    {"libwebrtc_ipv4_request_controlled.bin", true, true, false, false, nullptr},
    {"libwebrtc_ipv4_success.bin", true, false, false, false, "192.0.2.2:42039"},
    {"libwebrtc_ipv6_consent_request_controlled.bin", true, true, false, false, nullptr},
};

class LibwebrtcCapture : public ::testing::TestWithParam<Capture> {};

TEST_P(LibwebrtcCapture, VerifiesWithThePasswordFromTheSdp) {
  const Capture& c = GetParam();
  const std::string offer_ufrag = sdp_value("libwebrtc_offer.sdp", "ice-ufrag");
  const std::string answer_ufrag = sdp_value("libwebrtc_answer.sdp", "ice-ufrag");
  const std::string offer_pwd = sdp_value("libwebrtc_offer.sdp", "ice-pwd");
  const std::string answer_pwd = sdp_value("libwebrtc_answer.sdp", "ice-pwd");
  ASSERT_EQ(offer_pwd.size(), 24u);
  ASSERT_EQ(answer_pwd.size(), 24u);
  const auto key = StunIntegrityKey::short_term(c.to_offerer ? offer_pwd : answer_pwd);
  const auto wrong = StunIntegrityKey::short_term(c.to_offerer ? answer_pwd : offer_pwd);

  const auto bytes = read_stun_data(c.file);
  const auto m = parse_ok(bytes);
  ASSERT_TRUE(m);
  EXPECT_TRUE(verify_fingerprint(*m));
  EXPECT_TRUE(verify_integrity(*m, key));
  EXPECT_FALSE(verify_integrity(*m, wrong));
  EXPECT_TRUE(m->unknown_comprehension_required().empty());
  EXPECT_EQ(m->method(), StunMethod::Binding);
  if (c.request) {
    EXPECT_TRUE(m->is_request());
    // USERNAME is "<receiver's ufrag>:<sender's ufrag>" (RFC 8445 §7.2.2).
    EXPECT_EQ(m->username(), c.to_offerer ? offer_ufrag + ":" + answer_ufrag : answer_ufrag + ":" + offer_ufrag);
    EXPECT_TRUE(m->priority());
    EXPECT_EQ(m->ice_controlling().has_value(), c.controlling);
    EXPECT_EQ(m->ice_controlled().has_value(), !c.controlling);
    EXPECT_EQ(m->use_candidate(), c.use_candidate);
    EXPECT_TRUE(m->has(StunAttr::GoogNetworkInfo));  // libwebrtc's, tolerated
  } else {
    EXPECT_TRUE(m->is_success_response());
    ASSERT_TRUE(m->xor_mapped_address());
    EXPECT_EQ(m->xor_mapped_address()->to_string(), c.mapped);
    // Our success response to the same request is libwebrtc's, byte for byte.
    uint8_t buf[1500];
    const auto ours = write_binding_success(buf, m->transaction_id(), *m->xor_mapped_address(), key);
    ASSERT_TRUE(ours);
    EXPECT_TRUE(std::equal(ours->begin(), ours->end(), bytes.begin(), bytes.end()));
  }

  // Re-encoding every attribute before MESSAGE-INTEGRITY in the same order reproduces the message.
  uint8_t buf[1500];
  StunWriter w(buf, m->message_type(), m->transaction_id());
  for (const StunAttribute& a : m->attributes()) {
    if (a.offset >= m->integrity_offset()) break;
    w.add(a.type, a.value);
  }
  w.add_message_integrity(key);
  w.add_fingerprint();
  const auto rebuilt = w.finish();
  ASSERT_TRUE(rebuilt);
  EXPECT_TRUE(std::equal(rebuilt->begin(), rebuilt->end(), bytes.begin(), bytes.end()));
}

INSTANTIATE_TEST_SUITE_P(Stun, LibwebrtcCapture, ::testing::ValuesIn(kCaptures));

}  // namespace
}  // namespace medley::ice
