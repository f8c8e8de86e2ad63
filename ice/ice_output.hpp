// What an IceAgent hands back: datagrams to send (Transmit) and past-tense events, in one caller-owned IceOutput.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ice/candidate.hpp"
#include "ice/transport_address.hpp"
#include "rtp/base/outbox.hpp"

namespace medley::ice {

enum class IceRole : uint8_t { Controlling, Controlled };
std::string_view to_string(IceRole r);

// Kurento's IceComponentState, which libnice's component states define:
//   Disconnected  nothing started (and never returns)
//   Gathering     gathering candidates; no connectivity check yet
//   Connecting    checks running, no pair has worked yet
//   Connected     at least one pair works (a valid pair), none selected yet
//   Ready         a nominated pair is selected (ICE completed); media flows on it
//   Failed        every pair failed, or consent to send on the selected pair expired (RFC 7675); needs a restart
enum class IceState : uint8_t { Disconnected, Gathering, Connecting, Connected, Ready, Failed };
// Kurento's names: "DISCONNECTED", "GATHERING", "CONNECTING", "CONNECTED", "READY", "FAILED".
std::string_view to_string(IceState s);

// A datagram to send from local (one of the host addresses the server bound) to remote.
struct Transmit {
  TransportAddress local;
  TransportAddress remote;
  std::vector<uint8_t> bytes;
};

// → Kurento IceCandidateFound. The candidate carries the local ufrag.
struct CandidateGathered {
  Candidate candidate;
};
// → Kurento IceGatheringDone.
struct GatheringDone {};
// → Kurento IceComponentStateChanged.
struct StateChanged {
  IceState state;
};
// → Kurento NewCandidatePairSelected. Media goes out from send_from (the local candidate's base: the socket) to
// remote.address.
struct SelectedPairChanged {
  Candidate local;
  Candidate remote;
  TransportAddress send_from;
};
// A remote candidate names a host (mDNS "<uuid>.local"): the server resolves it and calls add_resolved_address()
// or hostname_unresolved().
struct ResolveHostname {
  std::string name;
};
// A remote candidate was not used; reason says why in words fit for a log line.
struct RemoteCandidateRejected {
  std::string candidate;  // the candidate string, or the host name that did not resolve
  std::string reason;
};
// The role changed to repair a role conflict (RFC 8445 §7.3.1.1, §7.2.5.1).
struct RoleChanged {
  IceRole role;
};

using IceEvent = std::variant<CandidateGathered, GatheringDone, StateChanged, SelectedPairChanged, ResolveHostname,
                              RemoteCandidateRejected, RoleChanged>;

// The caller owns it, drains both lists after each call and clears them; capacity stays.
struct IceOutput {
  base::Outbox<Transmit> transmits;
  base::Outbox<IceEvent> events;

  void clear() {
    transmits.clear();
    events.clear();
  }
};

}  // namespace medley::ice
