// The process-wide usrsctp: init without threads, the global tick, callbacks routed by association id.
#include "ice/usrsctp_runtime.hpp"

#include <cstdlib>

namespace medley::ice {

namespace {

// RFC 8831 §6.2 leaves the stream count to the implementation; 1024 each way is what libwebrtc asks for.
constexpr uint32_t kMaxStreams = 1024;

uint32_t addr_to_id(const void* addr) { return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(addr)); }

}  // namespace

UsrsctpRuntime& UsrsctpRuntime::instance() {
  static UsrsctpRuntime runtime;
  return runtime;
}

uint32_t UsrsctpRuntime::attach(UsrsctpEndpoint* endpoint) {
  if (!initialized_) {
    // Port 0: no UDP encapsulation socket; AF_CONN only. No debug printer.
    usrsctp_init_nothreads(0, &UsrsctpRuntime::conn_output, nullptr);
    // sctp_init() resets every sysctl, so these come after it. As libwebrtc: features WebRTC never uses are
    // off to shrink the attack surface (ECN, ASCONF, AUTH), and NR-SACK stays off as in its default.
    usrsctp_sysctl_set_sctp_ecn_enable(0);
    usrsctp_sysctl_set_sctp_asconf_enable(0);
    usrsctp_sysctl_set_sctp_auth_enable(0);
    usrsctp_sysctl_set_sctp_nrsack_enable(0);
    usrsctp_sysctl_set_sctp_pr_enable(1);        // RFC 8831 §6.1: PR-SCTP is required
    usrsctp_sysctl_set_sctp_reconfig_enable(1);  // RFC 8831 §6.1: stream reset (RFC 6525) is required
    usrsctp_sysctl_set_sctp_nr_outgoing_streams_default(kMaxStreams);
    initialized_ = true;
  }
  // Ids grow and are never reused: a timer of a dead association that still fires finds nothing.
  uint32_t id = next_id_++;
  if (next_id_ == 0) next_id_ = 1;
  endpoints_[id] = endpoint;
  return id;
}

// usrsctp_finish() is not called when the last association goes: a closed socket's memory is released by
// usrsctp's own kill timers, which need further ticks, and a re-init after finish is not something usrsctp is
// known to survive. The library stays initialized for the life of the process (its memory stays reachable).
void UsrsctpRuntime::detach(uint32_t id) { endpoints_.erase(id); }

UsrsctpEndpoint* UsrsctpRuntime::find(uint32_t id) const {
  auto it = endpoints_.find(id);
  return it == endpoints_.end() ? nullptr : it->second;
}

void UsrsctpRuntime::advance_to(base::Timestamp now) {
  if (!clock_started_) {
    clock_ = now;
    clock_started_ = true;
    return;
  }
  if (now <= clock_) return;  // equal or older `now` values from another caller: nothing elapsed
  int64_t elapsed_ms = (now - clock_).ms();
  if (elapsed_ms <= 0) return;
  // A long idle gap is delivered in one step; usrsctp fires every expired timer once, as after a suspend.
  constexpr int64_t kMaxStepMs = 3'600'000;
  usrsctp_handle_timers(static_cast<uint32_t>(elapsed_ms < kMaxStepMs ? elapsed_ms : kMaxStepMs));
  clock_ += base::Duration::millis(elapsed_ms);
}

int UsrsctpRuntime::conn_output(void* addr, void* buffer, size_t length, uint8_t /*tos*/, uint8_t /*set_df*/) {
  if (UsrsctpEndpoint* ep = instance().find(addr_to_id(addr)); ep != nullptr && buffer != nullptr) {
    ep->on_usrsctp_packet(static_cast<const uint8_t*>(buffer), length);
  }
  return 0;
}

int UsrsctpRuntime::receive_cb(struct socket* /*sock*/, union sctp_sockstore /*addr*/, void* data, size_t datalen,
                               struct sctp_rcvinfo rcv, int flags, void* ulp_info) {
  // data == nullptr is usrsctp's "association down" poke; the SCTP_ASSOC_CHANGE notification says the same.
  if (data == nullptr) return 1;
  if (UsrsctpEndpoint* ep = instance().find(addr_to_id(ulp_info))) {
    ep->on_usrsctp_receive(static_cast<const uint8_t*>(data), datalen, rcv, flags);
  }
  std::free(data);  // the callback API hands ownership of the malloc'ed buffer to the application
  return 1;
}

}  // namespace medley::ice
