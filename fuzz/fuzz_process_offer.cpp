// Fuzzes process_offer with fixed capabilities and transport: never crashes, and any answer it produces parses
// with our SDP parser, has one m-section per offered one, and is read back by process_answer-style checks
// (parse → serialize is a fixed point). The first input byte also picks the DTLS answer role and data support.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "rtp/negotiation/process_offer.hpp"
#include "rtp/sdp/session_description.hpp"

using namespace medley::rtp;
using namespace medley::rtp::negotiation;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const LocalCapabilities kCaps = LocalCapabilities::defaults();
  static const LocalCapabilities kNoData = [] {
    auto c = LocalCapabilities::defaults();
    c.data.enabled = false;
    c.rtx = false;
    return c;
  }();
  TransportParams t;
  t.ice_ufrag = "fuzz";
  t.ice_pwd = "0123456789abcdefghijklmn";
  t.fingerprint = "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99";
  t.candidates = {"candidate:1 1 udp 2122260223 192.0.2.10 40000 typ host"};
  t.gathering_done = true;
  LocalIdentity id;
  id.seed = size;
  const LocalCapabilities* caps = &kCaps;
  // Seeds are plain SDP text ('v' = 0x76): the low bits of the first byte vary the configuration.
  if (size > 0) {
    if (data[0] & 1) t.answer_setup = sdp::SetupRole::Passive;
    if (data[0] & 2) caps = &kNoData;
  }
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = process_offer(text, *caps, t, id);
  if (!r) {
    if (r.error().code != kProcessOfferError || r.error().reason.empty()) __builtin_trap();
    return 0;
  }
  auto offer = sdp::SessionDescription::parse(text);
  if (!offer) __builtin_trap();  // an answer means the offer parsed
  auto answer = sdp::SessionDescription::parse(r->sdp);
  if (!answer) __builtin_trap();
  if (answer->to_string() != r->sdp) __builtin_trap();
  if (answer->media.size() != offer->media.size() || r->session.media.size() != offer->media.size())
    __builtin_trap();
  size_t accepted = 0;
  for (size_t i = 0; i < answer->media.size(); ++i) {
    const auto& m = answer->media[i];
    if (m.formats.empty()) __builtin_trap();  // "Expects at least 4 fields"
    if (m.media != offer->media[i].media || m.proto != offer->media[i].proto) __builtin_trap();
    const bool acc = r->session.media[i].accepted;
    if (acc != (m.port != 0)) __builtin_trap();
    accepted += acc;
  }
  if (accepted == 0) __builtin_trap();
  return 0;
}
