// SctpAssociation on usrsctp (AF_CONN, no threads): socket options as libwebrtc, queued I/O, reassembly.
#include "ice/sctp_association.hpp"

#include <cerrno>
#include <cstring>
#include <deque>
#include <unordered_map>

#include "ice/usrsctp_runtime.hpp"
#include "rtp/base/bytes.hpp"

namespace medley::ice {

namespace {

constexpr size_t kCommonHeaderSize = 12;  // RFC 9260 §3.1
constexpr uint16_t kMaxStreams = 1024;

// usrsctp carries the PPID in network byte order in sndinfo/rcvinfo (it copies the field into the chunk as is).
uint32_t ppid_to_wire(uint32_t ppid) {
  uint8_t b[4];
  base::store_be32(b, ppid);
  uint32_t v;
  std::memcpy(&v, b, 4);
  return v;
}
uint32_t ppid_from_wire(uint32_t wire) {
  uint8_t b[4];
  std::memcpy(b, &wire, 4);
  return base::load_be32(b);
}

sockaddr_conn conn_addr(uint32_t id, uint16_t port) {
  sockaddr_conn a{};
  a.sconn_family = AF_CONN;
  uint8_t p[2];
  base::store_be16(p, port);
  std::memcpy(&a.sconn_port, p, 2);
  a.sconn_addr = UsrsctpRuntime::id_to_addr(id);
  return a;
}

}  // namespace

class SctpAssociation::Impl final : public UsrsctpEndpoint {
 public:
  explicit Impl(const SctpConfig& config) : config_(config) {}
  ~Impl() {
    if (id_ == 0) return;
    // Detach first: nothing usrsctp does while tearing the socket down may reach this object.
    UsrsctpRuntime::instance().detach(id_);
    if (sock_ != nullptr) usrsctp_close(sock_);
    usrsctp_deregister_address(UsrsctpRuntime::id_to_addr(id_));
  }

  void start(base::Timestamp now);
  void handle_packet(base::Timestamp now, base::Bytes packet);
  void handle_timeout(base::Timestamp now);
  base::Timestamp next_timeout() const;
  std::optional<SctpSendError> send(uint16_t stream, uint32_t ppid, base::Bytes bytes, bool ordered,
                                    SctpReliability reliability);
  std::optional<SctpSendError> reset_stream(uint16_t stream);
  void close(base::Timestamp now);
  bool poll_transmit(std::vector<uint8_t>& out);
  std::optional<Event> poll_event();

  void on_usrsctp_packet(const uint8_t* data, size_t len) override;
  void on_usrsctp_receive(const uint8_t* data, size_t len, const sctp_rcvinfo& info, int flags) override;

  SctpConfig config_;
  State state_ = State::kNew;
  uint32_t id_ = 0;
  struct socket* sock_ = nullptr;
  base::Timestamp last_now_;
  Stats stats_;
  size_t queued_bytes_ = 0;

  std::deque<std::vector<uint8_t>> transmits_;
  std::vector<std::vector<uint8_t>> spare_;  // emptied packet buffers kept for their capacity
  std::deque<Event> events_;

 private:
  struct Pending {
    bool is_reset = false;
    uint16_t stream = 0;
    uint32_t ppid = 0;
    bool ordered = true;
    SctpReliability reliability;
    std::vector<uint8_t> data;
    size_t offset = 0;  // bytes usrsctp already took (explicit EOR lets a message go in pieces)
  };
  struct Partial {
    uint32_t ppid = 0;
    bool unordered = false;
    bool discarding = false;
    std::vector<uint8_t> bytes;
  };

  bool is_live() const { return state_ == State::kConnecting || state_ == State::kConnected; }
  void fail(std::string reason);
  void finish_closed();
  void flush_pending();
  bool send_one(Pending& p);
  void do_reset(uint16_t stream);
  void handle_notification(const uint8_t* data, size_t len);
  void handle_assoc_change(const sctp_assoc_change& change);
  void handle_stream_reset(const uint8_t* data, size_t len);
  bool set_options();

  std::deque<Pending> pending_;
  std::unordered_map<uint16_t, Partial> partial_;  // per stream: usrsctp may interleave partial deliveries
};

void SctpAssociation::Impl::fail(std::string reason) {
  if (!is_live() && state_ != State::kNew) return;
  state_ = State::kFailed;
  pending_.clear();
  queued_bytes_ = 0;
  events_.emplace_back(Failed{std::move(reason)});
}

void SctpAssociation::Impl::finish_closed() {
  if (!is_live()) return;
  state_ = State::kClosed;
  pending_.clear();
  queued_bytes_ = 0;
  events_.emplace_back(Closed{});
}

bool SctpAssociation::Impl::set_options() {
  if (usrsctp_set_non_blocking(sock_, 1) < 0) return false;
  // SO_LINGER 0: close() aborts and frees the association at once, so usrsctp keeps no state that could call
  // back for this id later (libwebrtc does the same).
  linger lin{};
  lin.l_onoff = 1;
  lin.l_linger = 0;
  if (usrsctp_setsockopt(sock_, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin)) < 0) return false;
  sctp_assoc_value reset{};
  reset.assoc_id = SCTP_ALL_ASSOC;
  reset.assoc_value = SCTP_ENABLE_RESET_STREAM_REQ;  // RFC 8831 §6.7 closes channels by stream reset
  if (usrsctp_setsockopt(sock_, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, &reset, sizeof(reset)) < 0) return false;
  uint32_t on = 1;
  // No Nagle: a data channel message is sent when given (RFC 8831 §6.6 says SHOULD disable it).
  if (usrsctp_setsockopt(sock_, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof(on)) < 0) return false;
  // Explicit EOR: a big message may be handed over in pieces as buffer space frees up.
  if (usrsctp_setsockopt(sock_, IPPROTO_SCTP, SCTP_EXPLICIT_EOR, &on, sizeof(on)) < 0) return false;
  if (usrsctp_setsockopt(sock_, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof(on)) < 0) return false;
  const uint16_t events[] = {SCTP_ASSOC_CHANGE, SCTP_PEER_ADDR_CHANGE, SCTP_SEND_FAILED_EVENT,
                             SCTP_SENDER_DRY_EVENT, SCTP_STREAM_RESET_EVENT};
  for (uint16_t type : events) {
    sctp_event ev{};
    ev.se_assoc_id = SCTP_ALL_ASSOC;
    ev.se_type = type;
    ev.se_on = 1;
    if (usrsctp_setsockopt(sock_, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof(ev)) < 0) return false;
  }
  sctp_initmsg init{};
  init.sinit_num_ostreams = kMaxStreams;
  init.sinit_max_instreams = kMaxStreams;
  if (usrsctp_setsockopt(sock_, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof(init)) < 0) return false;
  sctp_rtoinfo rto{};
  rto.srto_assoc_id = SCTP_FUTURE_ASSOC;
  rto.srto_initial = config_.rto_initial_ms;
  rto.srto_min = config_.rto_min_ms;
  rto.srto_max = config_.rto_max_ms;
  if (usrsctp_setsockopt(sock_, IPPROTO_SCTP, SCTP_RTOINFO, &rto, sizeof(rto)) < 0) return false;
  // I-DATA (RFC 8260, "ndata") is left at usrsctp's default, off: libwebrtc's usrsctp never offered it, and
  // NR-SACK is off by sysctl (UsrsctpRuntime).
  return true;
}

void SctpAssociation::Impl::start(base::Timestamp now) {
  if (state_ != State::kNew) return;
  last_now_ = now;
  UsrsctpRuntime& rt = UsrsctpRuntime::instance();
  id_ = rt.attach(this);
  rt.advance_to(now);
  void* addr = UsrsctpRuntime::id_to_addr(id_);
  usrsctp_register_address(addr);
  sock_ = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, &UsrsctpRuntime::receive_cb, nullptr, 0, addr);
  if (sock_ == nullptr) return fail("usrsctp_socket failed");
  state_ = State::kConnecting;
  if (!set_options()) return fail("setting SCTP socket options failed");
  sockaddr_conn local = conn_addr(id_, config_.local_port);
  if (usrsctp_bind(sock_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) < 0) return fail("bind failed");
  sockaddr_conn remote = conn_addr(id_, config_.remote_port);
  if (usrsctp_connect(sock_, reinterpret_cast<sockaddr*>(&remote), sizeof(remote)) < 0 && errno != EINPROGRESS) {
    return fail("connect failed");
  }
  // Path MTU fixed, discovery off: DTLS below us does not tell SCTP about ICMP, and 1200 fits any path.
  sctp_paddrparams params{};
  std::memcpy(&params.spp_address, &remote, sizeof(remote));
  params.spp_flags = SPP_PMTUD_DISABLE;
  params.spp_pathmtu = config_.mtu;
  if (usrsctp_setsockopt(sock_, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &params, sizeof(params)) < 0) {
    return fail("setting the path MTU failed");
  }
}

void SctpAssociation::Impl::handle_packet(base::Timestamp now, base::Bytes packet) {
  if (!is_live()) return;
  if (packet.size() < kCommonHeaderSize) {
    ++stats_.dropped_short_packets;
    return;
  }
  last_now_ = std::max(last_now_, now);
  ++stats_.packets_in;
  UsrsctpRuntime::instance().advance_to(now);
  // usrsctp verifies the CRC32c and drops what does not belong to this association.
  usrsctp_conninput(UsrsctpRuntime::id_to_addr(id_), packet.data(), packet.size(), 0);
  flush_pending();
}

void SctpAssociation::Impl::handle_timeout(base::Timestamp now) {
  if (state_ == State::kNew) return;
  last_now_ = std::max(last_now_, now);
  UsrsctpRuntime::instance().advance_to(now);
  flush_pending();
}

base::Timestamp SctpAssociation::Impl::next_timeout() const {
  if (!is_live()) return base::Timestamp::infinite();
  return last_now_ + UsrsctpRuntime::kTickPeriod;
}

std::optional<SctpSendError> SctpAssociation::Impl::send(uint16_t stream, uint32_t ppid, base::Bytes bytes,
                                                         bool ordered, SctpReliability reliability) {
  if (!is_live()) return SctpSendError::Closed;
  if (stream >= kMaxStreams) return SctpSendError::InvalidStream;
  if (bytes.empty()) return SctpSendError::Empty;
  size_t cap = config_.max_send_message_size == 0 ? config_.max_queued_bytes : config_.max_send_message_size;
  if (bytes.size() > cap) return SctpSendError::TooLarge;
  if (queued_bytes_ + bytes.size() > config_.max_queued_bytes) return SctpSendError::BufferFull;
  Pending& p = pending_.emplace_back();
  p.stream = stream;
  p.ppid = ppid;
  p.ordered = ordered;
  p.reliability = reliability;
  p.data.assign(bytes.begin(), bytes.end());
  queued_bytes_ += bytes.size();
  flush_pending();
  return std::nullopt;
}

std::optional<SctpSendError> SctpAssociation::Impl::reset_stream(uint16_t stream) {
  if (!is_live()) return SctpSendError::Closed;
  if (stream >= kMaxStreams) return SctpSendError::InvalidStream;
  Pending& p = pending_.emplace_back();
  p.is_reset = true;
  p.stream = stream;
  flush_pending();
  return std::nullopt;
}

void SctpAssociation::Impl::close(base::Timestamp now) {
  last_now_ = std::max(last_now_, now);
  if (sock_ != nullptr) {
    // Still attached: the ABORT that usrsctp writes now lands in our transmit queue.
    usrsctp_close(sock_);
    sock_ = nullptr;
  }
  if (state_ == State::kNew) {
    state_ = State::kClosed;
    events_.emplace_back(Closed{});
    return;
  }
  finish_closed();
}

void SctpAssociation::Impl::flush_pending() {
  if (state_ != State::kConnected) return;
  while (!pending_.empty()) {
    Pending& p = pending_.front();
    if (p.is_reset) {
      do_reset(p.stream);
    } else if (!send_one(p)) {
      return;  // usrsctp's buffer is full: the rest waits for SACKs, in order
    }
    pending_.pop_front();
    if (state_ != State::kConnected) return;
  }
}

bool SctpAssociation::Impl::send_one(Pending& p) {
  sctp_sendv_spa spa{};
  spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
  spa.sendv_sndinfo.snd_sid = p.stream;
  spa.sendv_sndinfo.snd_ppid = ppid_to_wire(p.ppid);
  // SCTP_EOR on every piece: with explicit EOR usrsctp takes what fits and the message ends when its last
  // byte has been taken.
  spa.sendv_sndinfo.snd_flags = SCTP_EOR | (p.ordered ? 0 : SCTP_UNORDERED);
  if (p.reliability.kind != SctpReliability::Kind::Reliable) {
    spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
    spa.sendv_prinfo.pr_policy =
        p.reliability.kind == SctpReliability::Kind::MaxRetransmits ? SCTP_PR_SCTP_RTX : SCTP_PR_SCTP_TTL;
    spa.sendv_prinfo.pr_value = p.reliability.value;
  }
  size_t left = p.data.size() - p.offset;
  ssize_t n = usrsctp_sendv(sock_, p.data.data() + p.offset, left, nullptr, 0, &spa, sizeof(spa), SCTP_SENDV_SPA, 0);
  if (n < 0) {
    if (errno == EWOULDBLOCK || errno == EAGAIN) return false;
    // Any other refusal (stream beyond what the peer granted, association going down): drop this message.
    queued_bytes_ -= left;
    return true;
  }
  size_t taken = static_cast<size_t>(n) > left ? left : static_cast<size_t>(n);
  p.offset += taken;
  queued_bytes_ -= taken;
  if (p.offset < p.data.size()) return false;
  ++stats_.messages_out;
  return true;
}

void SctpAssociation::Impl::do_reset(uint16_t stream) {
  alignas(sctp_reset_streams) uint8_t buf[sizeof(sctp_reset_streams) + sizeof(uint16_t)] = {};
  auto* req = reinterpret_cast<sctp_reset_streams*>(buf);
  req->srs_assoc_id = SCTP_ALL_ASSOC;
  req->srs_flags = SCTP_STREAM_RESET_OUTGOING;
  req->srs_number_streams = 1;
  req->srs_stream_list[0] = stream;
  // usrsctp marks the stream and sends the request once earlier data on it is out and no other reset is
  // outstanding; outgoing resets never report an error here.
  usrsctp_setsockopt(sock_, IPPROTO_SCTP, SCTP_RESET_STREAMS, req, sizeof(buf));
}

bool SctpAssociation::Impl::poll_transmit(std::vector<uint8_t>& out) {
  if (transmits_.empty()) return false;
  out.swap(transmits_.front());
  transmits_.front().clear();
  spare_.push_back(std::move(transmits_.front()));
  transmits_.pop_front();
  return true;
}

std::optional<SctpAssociation::Event> SctpAssociation::Impl::poll_event() {
  if (events_.empty()) return std::nullopt;
  Event e = std::move(events_.front());
  events_.pop_front();
  return e;
}

void SctpAssociation::Impl::on_usrsctp_packet(const uint8_t* data, size_t len) {
  std::vector<uint8_t> buf;
  if (!spare_.empty()) {
    buf = std::move(spare_.back());
    spare_.pop_back();
  }
  buf.assign(data, data + len);
  transmits_.push_back(std::move(buf));
  ++stats_.packets_out;
}

void SctpAssociation::Impl::on_usrsctp_receive(const uint8_t* data, size_t len, const sctp_rcvinfo& info,
                                               int flags) {
  if ((flags & MSG_NOTIFICATION) != 0) {
    handle_notification(data, len);
    return;
  }
  const bool eor = (flags & MSG_EOR) != 0;
  const uint16_t stream = info.rcv_sid;
  auto it = partial_.find(stream);
  if (eor && it == partial_.end()) {  // the common case: a whole message in one piece
    if (len > config_.max_receive_message_size) {
      ++stats_.dropped_oversize_messages;
      return;
    }
    ++stats_.messages_in;
    events_.emplace_back(MessageReceived{stream, ppid_from_wire(info.rcv_ppid),
                                         (info.rcv_flags & SCTP_UNORDERED) != 0,
                                         std::vector<uint8_t>(data, data + len)});
    return;
  }
  if (it == partial_.end()) {
    it = partial_.emplace(stream, Partial{}).first;
    it->second.ppid = ppid_from_wire(info.rcv_ppid);
    it->second.unordered = (info.rcv_flags & SCTP_UNORDERED) != 0;
  }
  Partial& p = it->second;
  if (!p.discarding) {
    if (p.bytes.size() + len > config_.max_receive_message_size) {
      p.discarding = true;
      p.bytes = {};
    } else {
      p.bytes.insert(p.bytes.end(), data, data + len);
    }
  }
  if (!eor) return;
  if (p.discarding) {
    ++stats_.dropped_oversize_messages;
  } else {
    ++stats_.messages_in;
    events_.emplace_back(MessageReceived{stream, p.ppid, p.unordered, std::move(p.bytes)});
  }
  partial_.erase(it);
}

void SctpAssociation::Impl::handle_notification(const uint8_t* data, size_t len) {
  sctp_notification n;
  if (len < sizeof(n.sn_header)) return;
  std::memcpy(&n.sn_header, data, sizeof(n.sn_header));
  switch (n.sn_header.sn_type) {
    case SCTP_ASSOC_CHANGE:
      if (len >= sizeof(sctp_assoc_change)) {
        sctp_assoc_change change;
        std::memcpy(&change, data, sizeof(change));
        handle_assoc_change(change);
      }
      break;
    case SCTP_STREAM_RESET_EVENT:
      handle_stream_reset(data, len);
      break;
    case SCTP_SEND_FAILED_EVENT:
      // PR-SCTP abandoned a message (max retransmits or lifetime reached): expected, counted, not an error.
      ++stats_.abandoned_messages;
      break;
    default:
      break;  // peer address changes, sender dry: nothing to do over a single AF_CONN path
  }
}

void SctpAssociation::Impl::handle_assoc_change(const sctp_assoc_change& change) {
  switch (change.sac_state) {
    case SCTP_COMM_UP:
      if (state_ == State::kConnecting) {
        state_ = State::kConnected;
        events_.emplace_back(Connected{});
      }
      break;
    case SCTP_COMM_LOST:
      fail("association lost (peer ABORT or retransmission limit)");
      break;
    case SCTP_CANT_STR_ASSOC:
      fail("association could not be established");
      break;
    case SCTP_SHUTDOWN_COMP:
      finish_closed();
      break;
    default:
      break;  // SCTP_RESTART: the peer restarted; the association carries on
  }
}

void SctpAssociation::Impl::handle_stream_reset(const uint8_t* data, size_t len) {
  sctp_stream_reset_event ev;
  if (len < sizeof(ev)) return;
  std::memcpy(&ev, data, sizeof(ev));
  if ((ev.strreset_flags & (SCTP_STREAM_RESET_DENIED | SCTP_STREAM_RESET_FAILED)) != 0) return;
  size_t total = ev.strreset_length < len ? ev.strreset_length : len;
  if (total < sizeof(ev)) return;
  size_t count = (total - sizeof(ev)) / sizeof(uint16_t);
  for (size_t i = 0; i < count; ++i) {
    uint16_t stream;
    std::memcpy(&stream, data + sizeof(ev) + i * sizeof(uint16_t), sizeof(stream));
    if ((ev.strreset_flags & SCTP_STREAM_RESET_INCOMING_SSN) != 0) {
      partial_.erase(stream);  // a half-received message on a reset stream never completes
      events_.emplace_back(StreamReset{stream, StreamReset::Direction::kIncoming});
    }
    if ((ev.strreset_flags & SCTP_STREAM_RESET_OUTGOING_SSN) != 0) {
      events_.emplace_back(StreamReset{stream, StreamReset::Direction::kOutgoing});
    }
  }
}

// The facade.
SctpAssociation::SctpAssociation(const SctpConfig& config) : impl_(std::make_unique<Impl>(config)) {}
SctpAssociation::~SctpAssociation() = default;
SctpAssociation::SctpAssociation(SctpAssociation&&) noexcept = default;
SctpAssociation& SctpAssociation::operator=(SctpAssociation&&) noexcept = default;

void SctpAssociation::start(base::Timestamp now) { impl_->start(now); }
void SctpAssociation::handle_packet(base::Timestamp now, base::Bytes packet) { impl_->handle_packet(now, packet); }
void SctpAssociation::handle_timeout(base::Timestamp now) { impl_->handle_timeout(now); }
base::Timestamp SctpAssociation::next_timeout() const { return impl_->next_timeout(); }
std::optional<SctpSendError> SctpAssociation::send(uint16_t stream, uint32_t ppid, base::Bytes bytes, bool ordered,
                                                   SctpReliability reliability) {
  return impl_->send(stream, ppid, bytes, ordered, reliability);
}
std::optional<SctpSendError> SctpAssociation::reset_stream(uint16_t stream) { return impl_->reset_stream(stream); }
void SctpAssociation::close(base::Timestamp now) { impl_->close(now); }
bool SctpAssociation::poll_transmit(std::vector<uint8_t>& out) { return impl_->poll_transmit(out); }
std::optional<SctpAssociation::Event> SctpAssociation::poll_event() { return impl_->poll_event(); }
bool SctpAssociation::has_output() const { return !impl_->transmits_.empty() || !impl_->events_.empty(); }
SctpAssociation::State SctpAssociation::state() const { return impl_->state_; }
size_t SctpAssociation::queued_bytes() const { return impl_->queued_bytes_; }
const SctpAssociation::Stats& SctpAssociation::stats() const { return impl_->stats_; }
uint32_t SctpAssociation::id() const { return impl_->id_; }

}  // namespace medley::ice
