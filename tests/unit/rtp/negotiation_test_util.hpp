// Shared by the negotiation tests: fixed local transport values, loading real SDPs, and a checker for the
// RFC 8829 / RFC 3264 rules an answer must satisfy toward its offer.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "rtp/negotiation/codec_matching.hpp"
#include "rtp/negotiation/process_offer.hpp"
#include "rtp/sdp/session_description.hpp"

namespace medley::rtp::negotiation::testing {

inline std::string load_sdp(const std::string& name) {
  std::ifstream in(std::filesystem::path(MEDLEY_TEST_DATA) / "sdp" / name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline TransportParams test_transport() {
  TransportParams t;
  t.ice_ufrag = "mdly";
  t.ice_pwd = "0123456789abcdefghijklmn";
  t.fingerprint =
      "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99";
  return t;
}

inline LocalIdentity test_identity(uint64_t seed = 42) {
  LocalIdentity id;
  id.cname = "medley-cname";
  id.stream_id = "medley-stream";
  id.seed = seed;
  return id;
}

inline bool direction_answers(sdp::Direction offered, sdp::Direction answered) {
  using D = sdp::Direction;
  switch (offered) {
    case D::SendRecv: return true;
    case D::SendOnly: return answered == D::RecvOnly || answered == D::Inactive;
    case D::RecvOnly: return answered == D::SendOnly || answered == D::Inactive;
    case D::Inactive: return answered == D::Inactive;
  }
  return false;
}

// The answer's rules toward the offer (RFC 3264 section 6, RFC 8829 section 5.3.1, RFC 8843, RFC 5763).
inline void expect_valid_answer(const std::string& offer_text, const std::string& answer_text) {
  auto offer = sdp::SessionDescription::parse(offer_text);
  ASSERT_TRUE(offer.ok());
  auto parsed = sdp::SessionDescription::parse(answer_text);
  ASSERT_TRUE(parsed.ok()) << "answer line " << parsed.error().line << ": " << parsed.error().reason << "\n"
                           << answer_text;
  const auto& a = *parsed;
  EXPECT_EQ(a.to_string(), answer_text) << "answer is not in our writer's canonical form";
  EXPECT_EQ(answer_text.find("a=setup:actpass"), std::string::npos);
  ASSERT_EQ(a.media.size(), offer->media.size());
  const auto* obundle = offer->group("BUNDLE");
  const auto* abundle = a.group("BUNDLE");
  if (!obundle) {
    EXPECT_EQ(abundle, nullptr) << "an answer may not add a BUNDLE group";
  }
  for (size_t i = 0; i < a.media.size(); ++i) {
    SCOPED_TRACE("m-section " + std::to_string(i));
    const auto& am = a.media[i];
    const auto& om = offer->media[i];
    EXPECT_EQ(am.media, om.media);
    EXPECT_EQ(am.proto, om.proto);
    EXPECT_FALSE(am.formats.empty()) << "m= line needs at least 4 fields";
    EXPECT_EQ(am.mid(), om.mid());
    const bool in_bundle = abundle && am.mid() &&
                           std::find(abundle->mids.begin(), abundle->mids.end(), *am.mid()) != abundle->mids.end();
    if (am.port == 0) {
      EXPECT_FALSE(in_bundle) << "rejected sections stay out of BUNDLE";
      continue;
    }
    if (obundle) {
      EXPECT_TRUE(in_bundle);
      EXPECT_NE(std::find(obundle->mids.begin(), obundle->mids.end(), *am.mid()), obundle->mids.end());
    }
    ASSERT_NE(a.ice_ufrag(am), nullptr);
    ASSERT_NE(a.ice_pwd(am), nullptr);
    EXPECT_FALSE(a.fingerprints(am).empty());
    ASSERT_NE(a.setup(am), nullptr);
    EXPECT_TRUE(a.setup(am)->role == sdp::SetupRole::Active || a.setup(am)->role == sdp::SetupRole::Passive);
    if (am.is_sctp()) {
      EXPECT_TRUE(am.sctp_port().has_value());
      continue;
    }
    EXPECT_TRUE(am.attributes.has<sdp::RtcpMux>());
    EXPECT_TRUE(direction_answers(offer->direction(om), a.direction(am)));
    const auto offered = offered_codecs(om);
    for (const auto& c : offered_codecs(am)) {
      auto it = std::find_if(offered.begin(), offered.end(),
                             [&](const sdp::Codec& o) { return o.payload_type == c.payload_type; });
      ASSERT_NE(it, offered.end()) << "payload type " << int(c.payload_type.value) << " was not offered";
      EXPECT_EQ(it->encoding_name, c.encoding_name);
      EXPECT_EQ(it->clock_rate, c.clock_rate);
      if (is_rtx(c)) {
        auto* f = am.fmtp(c.payload_type);
        ASSERT_NE(f, nullptr);
        ASSERT_TRUE(f->apt().has_value());
        auto pts = am.payload_types();
        EXPECT_NE(std::find(pts.begin(), pts.end(), *f->apt()), pts.end()) << "rtx apt not in the answer";
      }
    }
    for (const auto* e : am.extmaps()) {
      const auto* oe = om.extmap(e->uri);
      if (!oe) oe = offer->attributes.find_if<sdp::Extmap>([&](const sdp::Extmap& x) { return x.uri == e->uri; });
      ASSERT_NE(oe, nullptr) << e->uri << " was not offered";
      EXPECT_EQ(oe->id, e->id);
    }
    const auto d = a.direction(am);
    const bool sends = d == sdp::Direction::SendRecv || d == sdp::Direction::SendOnly;
    if (sends) {
      auto* msid = am.attributes.find<sdp::Msid>();
      ASSERT_NE(msid, nullptr);
      EXPECT_NE(msid->stream_id, "-");
      ASSERT_FALSE(am.ssrcs().empty());
      for (auto s : am.ssrcs()) {
        EXPECT_TRUE(am.ssrc_attribute(s, "cname").has_value());
      }
      for (auto s : am.ssrcs())
        for (auto o : om.ssrcs()) {
          EXPECT_NE(s, o) << "our SSRC collides with the offer's";
        }
    } else {
      EXPECT_TRUE(am.ssrcs().empty());
    }
  }
}

}  // namespace medley::rtp::negotiation::testing
