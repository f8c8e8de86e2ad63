// Fuzzes the SDP parser: parse; when it parses, serialize, re-parse and serialize again, which must succeed and
// give the same text (the writer's output is a fixed point). Also feeds the input to the trickle candidate parser.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "rtp/sdp/candidate.hpp"
#include "rtp/sdp/session_description.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace medley::rtp::sdp;
  std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto c = parse_candidate(text)) {
    auto again = parse_candidate(c->to_string());
    if (!again || !(*again == *c)) __builtin_trap();
  }

  auto sdp = SessionDescription::parse(text);
  if (!sdp) {
    if (sdp.error().reason.empty()) __builtin_trap();
    return 0;
  }
  std::string first = sdp->to_string();
  auto reparsed = SessionDescription::parse(first);
  if (!reparsed) __builtin_trap();
  if (!(*reparsed == *sdp)) __builtin_trap();
  if (reparsed->to_string() != first) __builtin_trap();

  // Exercise the accessors negotiation will use.
  for (const auto& m : sdp->media) {
    (void)m.codecs();
    (void)m.ssrcs();
    (void)sdp->direction(m);
    (void)sdp->fingerprints(m);
    (void)m.sctp_port();
    for (const auto& c : m.codecs()) (void)c;
    for (auto* f : m.attributes.all<Fmtp>()) {
      (void)f->h264_profile_level_id();
      (void)f->apt();
    }
  }
  return 0;
}
