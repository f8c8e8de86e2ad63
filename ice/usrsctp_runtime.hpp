// The process-wide usrsctp: one init without timer threads, its global timer tick, and the routing of its
// C callbacks to associations by integer id.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include <usrsctp.h>

#include "rtp/base/time.hpp"

namespace medley::ice {

// What usrsctp hands back to one association. Called from inside a usrsctp call made by the owner (never from
// another thread); implementations only queue what they get, because calling back into usrsctp from here
// deadlocks (conn_output runs with usrsctp's locks held).
class UsrsctpEndpoint {
 public:
  virtual void on_usrsctp_packet(const uint8_t* data, size_t len) = 0;
  // `data` is malloc'ed by usrsctp and already owned by the caller of this hook (the runtime frees it).
  virtual void on_usrsctp_receive(const uint8_t* data, size_t len, const sctp_rcvinfo& info, int flags) = 0;

 protected:
  ~UsrsctpEndpoint() = default;
};

// usrsctp keeps all its state in globals: one timer list, one address table. This object is the only door to
// them. Not thread-safe by design: the server gives it (and every association) one strand, tests one thread.
// AF_CONN addresses are integer ids cast to pointers, never pointers to our state, so a late callback for an
// association that is gone finds no entry and is dropped instead of touching freed memory.
class UsrsctpRuntime {
 public:
  static UsrsctpRuntime& instance();

  // Initializes usrsctp on the first attach; returns the new association's id (never 0, never reused).
  uint32_t attach(UsrsctpEndpoint* endpoint);
  void detach(uint32_t id);
  size_t attached() const { return endpoints_.size(); }

  // Advances usrsctp's global timer list to `now` (whole milliseconds; the remainder carries over). Every
  // association's timers run here, so any association's owner may call it; it is idempotent for equal `now`.
  void advance_to(base::Timestamp now);
  // usrsctp 0.9.5 has no usrsctp_get_timeout(), so the soonest timer is unknown: tick at the period its own
  // timer thread uses (TIMEOUT_INTERVAL, 10 ms) while anything is attached.
  static constexpr base::Duration kTickPeriod = base::Duration::millis(10);

  // C callbacks registered with usrsctp (public so the association can pass them to usrsctp_socket).
  static int receive_cb(struct socket* sock, union sctp_sockstore addr, void* data, size_t datalen,
                        struct sctp_rcvinfo rcv, int flags, void* ulp_info);
  static void* id_to_addr(uint32_t id) { return reinterpret_cast<void*>(static_cast<uintptr_t>(id)); }

 private:
  UsrsctpRuntime() = default;
  static int conn_output(void* addr, void* buffer, size_t length, uint8_t tos, uint8_t set_df);
  UsrsctpEndpoint* find(uint32_t id) const;

  bool initialized_ = false;
  bool clock_started_ = false;
  base::Timestamp clock_;
  uint32_t next_id_ = 1;
  std::unordered_map<uint32_t, UsrsctpEndpoint*> endpoints_;
};

}  // namespace medley::ice
