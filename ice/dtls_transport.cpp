// DtlsTransport: OpenSSL DTLS 1.2 behind a datagram BIO, driven only by the caller's inputs and `now`.
//
// The retransmission timer, and why it is done this way.
// OpenSSL 3.0 keeps the DTLS retransmission deadline as a wall-clock `struct timeval` (d1->next_timeout,
// set by dtls1_start_timer from gettimeofday + the duration) and DTLSv1_handle_timeout() retransmits only if
// that wall-clock deadline has passed (dtls1_is_timer_expired; anything under 15 ms left counts as passed).
// Worse, every read (dtls1_read_bytes, dtls1_read_failed) calls dtls1_handle_timeout itself first. So:
//  - "make its own clock always expired" (a timer callback returning < 15 ms) does not work: each read would
//    retransmit, and dtls1_read_bytes loops `goto start` on every successful retransmission until the
//    12-timeout limit kills the handshake;
//  - "let OpenSSL's clock run" makes tests depend on real time (seconds of sleeping per lost flight).
// What we do instead:
//  1. DTLS_set_timer_cb: OpenSSL asks us for every duration. We keep the real schedule on our side (first
//     timeout from the config, doubling, capped), as a deadline on the `now` we were given, and tell OpenSSL a
//     duration of an hour, so its wall-clock timer never fires by itself, in a read or anywhere.
//  2. dtls1_start_timer/stop_timer announce the deadline to the read BIO with BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT,
//     passing a pointer to d1->next_timeout itself (OpenSSL 1.1.1 and 3.0). Our BIO keeps that pointer. When
//     our deadline passes, handle_timeout() sets that timeval to 1970 (non-zero: zero means "no timer") and
//     calls DTLSv1_handle_timeout(), which now sees an expired timer, asks the callback for the next duration
//     and retransmits the buffered flight with fresh record numbers. Whether a timer runs at all we read with
//     DTLSv1_get_timeout() (its boolean; the remaining time it computes from the wall clock is ignored).
//  This writes into OpenSSL's state through a pointer it hands out, so it is enabled only where that pointer
//  is known to be d1->next_timeout: OpenSSL 3.0.x, checked at run time (3.2 turned next_timeout into an
//  OSSL_TIME and passes a stack copy, which must never be written). Elsewhere the callback returns our real
//  durations and OpenSSL's wall clock decides; handle_timeout() then just polls it. dtls_timer_fully_sans_io()
//  says which mode runs; on Debian 12 (OpenSSL 3.0) it is the first, and the tests need no sleeping at all.
#include "ice/dtls_transport.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <sys/time.h>

#include <algorithm>
#include <cassert>
#include <climits>
#include <cstring>

namespace medley::ice {
namespace {

// OpenSSL's own deadline while we drive the timer: far beyond any handshake (unsigned int microseconds).
constexpr unsigned int kOpenSslFarTimeoutUs = 3600u * 1000u * 1000u;

// Keying material per DTLS-SRTP profile (RFC 5764 §4.1.2, RFC 7714 §12): 2 * (master key + master salt).
// ice/ does not depend on rtp/, so the four profiles we offer are spelled out here.
size_t srtp_keying_material_len(uint16_t profile_id) {
  switch (profile_id) {
    case 0x0001:  // SRTP_AES128_CM_HMAC_SHA1_80
    case 0x0002:  // SRTP_AES128_CM_HMAC_SHA1_32
      return 2 * (16 + 14);
    case 0x0007: return 2 * (16 + 12);  // SRTP_AEAD_AES_128_GCM
    case 0x0008: return 2 * (32 + 12);  // SRTP_AEAD_AES_256_GCM
    default: return 0;
  }
}

bool deadline_pointer_is_next_timeout() {
  // 0xMNN00PP0: major 3, minor 0.
  static const bool ok = (OpenSSL_version_num() >> 20) == 0x300;
  return ok;
}

}  // namespace

bool dtls_timer_fully_sans_io() { return deadline_pointer_is_next_timeout(); }

struct DtlsTransport::Impl {
  std::shared_ptr<const DtlsContext> context;
  DtlsTransportConfig config;
  SSL* ssl = nullptr;
  State state = State::New;
  Stats stats;

  // The datagram OpenSSL may read during the current call, and the one it is writing.
  base::Bytes incoming;
  bool incoming_pending = false;
  std::vector<uint8_t> outgoing;
  DtlsOutbox* out = nullptr;

  // Our side of the retransmission timer.
  base::Timestamp now;
  base::Timestamp deadline = base::Timestamp::infinite();
  base::Duration rto;
  timeval* openssl_deadline = nullptr;  // d1->next_timeout, only in the sans-IO timer mode

  std::optional<Fingerprint> expected;
  std::string verify_failure;
  std::string alert;  // the last fatal alert sent or received, for Failed's reason
  bool handshake_done = false;  // finished, waiting for the expected fingerprint
  std::vector<uint8_t> read_buffer;

  Impl(std::shared_ptr<const DtlsContext> ctx, const DtlsTransportConfig& cfg);
  ~Impl() { SSL_free(ssl); }

  // One public call: remember `now` and the outbox; on the way out, flush the datagram and resync the timer.
  struct Call {
    Impl& impl;
    Call(Impl& i, base::Timestamp t, DtlsOutbox& o) : impl(i) {
      impl.now = t;
      impl.out = &o;
      // OpenSSL 3.0's DTLS write path does not allocate a released buffer again by itself.
      if (impl.buffers_released && impl.ssl != nullptr) {
        impl.buffers_released = false;
        if (SSL_alloc_buffers(impl.ssl) != 1) impl.fail("no memory for the DTLS record buffers");
      }
    }
    ~Call() {
      impl.finish_datagram();
      impl.sync_timer();
      impl.incoming = {};
      impl.incoming_pending = false;
      impl.maybe_release();
      impl.out = nullptr;
      impl.release_idle_buffers();
    }
  };

  // Once the handshake is over, a transport that carries no data channel is idle for good: its record buffers
  // (OpenSSL's, about 34 KB, which SSL_MODE_RELEASE_BUFFERS does not free for DTLS) and our read buffer (17 KB)
  // are given back after each call and come back on demand. One that carries SCTP keeps them.
  // release_when_idle: see DtlsTransportConfig. Runs at the end of a call, so nothing is pending in OpenSSL.
  void maybe_release() {
    if (ssl == nullptr || state != State::Connected || !config.release_when_idle || now < release_at ||
        stats.application_records_in > 0 || stats.application_records_out > 0) {
      return;
    }
    finish_datagram();  // whatever this call wrote already went to `out`
    ERR_clear_error();
    capturing_close = true;  // the close_notify SSL_shutdown writes (and flushes) is kept for close()
    SSL_shutdown(ssl);
    ERR_clear_error();
    finish_datagram();
    capturing_close = false;
    SSL_free(ssl);
    ssl = nullptr;
    buffers_released = false;
    std::vector<uint8_t>().swap(read_buffer);
    deadline = base::Timestamp::infinite();
    released = true;
  }
  bool released = false;
  base::Timestamp release_at = base::Timestamp::infinite();
  std::vector<uint8_t> close_notify;

  void release_idle_buffers() {
    if (!handshake_done || ssl == nullptr || stats.application_records_in > 0 || stats.application_records_out > 0) {
      return;
    }
    buffers_released = SSL_free_buffers(ssl) == 1;
    std::vector<uint8_t>().swap(read_buffer);
  }
  bool buffers_released = false;

  bool capturing_close = false;

  void finish_datagram() {
    if (outgoing.empty()) return;
    if (capturing_close) {
      close_notify.insert(close_notify.end(), outgoing.begin(), outgoing.end());
      outgoing = {};
      return;
    }
    ++stats.datagrams_out;
    if (out != nullptr) out->datagrams.push(std::move(outgoing));
    outgoing = {};
  }

  void sync_timer() {
    if (ssl == nullptr || state == State::Closed || state == State::Failed) {
      deadline = base::Timestamp::infinite();
      return;
    }
    timeval left{};
    if (DTLSv1_get_timeout(ssl, &left) != 1) {
      deadline = base::Timestamp::infinite();
    } else if (deadline.is_infinite()) {
      deadline = now + rto;  // a timer restarted without asking us (should not happen): keep it moving
    }
    if (state == State::Connected && config.release_when_idle) deadline = base::earliest(deadline, release_at);
  }

  void emit(DtlsEvent e) {
    if (out != nullptr) out->events.push(std::move(e));
  }

  void fail(std::string reason) {
    if (state == State::Failed || state == State::Closed) return;
    state = State::Failed;
    deadline = base::Timestamp::infinite();
    emit(DtlsFailed{std::move(reason)});
  }

  // `ssl_error` is SSL_get_error's verdict, for when OpenSSL's queue says nothing (a fatal alert it received).
  std::string error_reason(std::string_view what, int ssl_error = SSL_ERROR_NONE) {
    if (!verify_failure.empty()) {
      ERR_clear_error();
      return verify_failure;
    }
    std::string r(what);
    if (!alert.empty()) r += " (" + alert + ")";
    if (ERR_peek_error() != 0) return openssl_errors(r);
    if (ssl_error != SSL_ERROR_NONE) r += ": SSL error " + std::to_string(ssl_error);
    return r;
  }

  void advance();
  void read_records();
  void on_handshake_done();
  void verify_and_connect();
};

namespace {

DtlsTransport::Impl* impl_of(const SSL* ssl) { return static_cast<DtlsTransport::Impl*>(SSL_get_app_data(ssl)); }
DtlsTransport::Impl* impl_of(BIO* bio) { return static_cast<DtlsTransport::Impl*>(BIO_get_data(bio)); }

// The datagram BIO: a read hands OpenSSL the current datagram whole (or tells it to retry), writes collect
// records into the datagram being built, and BIO_flush (OpenSSL calls it when the next record would cross the
// MTU, and at the end of a flight) closes that datagram. Each public call also closes it on the way out.
int bio_write(BIO* bio, const char* data, int len) {
  BIO_clear_retry_flags(bio);
  auto* io = impl_of(bio);
  if (io == nullptr || len < 0) return -1;
  io->outgoing.insert(io->outgoing.end(), data, data + len);
  return len;
}

int bio_read(BIO* bio, char* buf, int len) {
  BIO_clear_retry_flags(bio);
  auto* io = impl_of(bio);
  // An empty read must never return 0: OpenSSL takes that as end of file and fails the session.
  if (io == nullptr || !io->incoming_pending || io->incoming.empty() || len <= 0) {
    BIO_set_retry_read(bio);
    return -1;
  }
  // Like a UDP socket: a datagram longer than the buffer is cut (OpenSSL's buffer holds any legal record).
  const size_t n = std::min(io->incoming.size(), static_cast<size_t>(len));
  if (n > 0) std::memcpy(buf, io->incoming.data(), n);
  io->incoming_pending = false;
  return static_cast<int>(n);
}

long bio_ctrl(BIO* bio, int cmd, long /*num*/, void* ptr) {
  auto* io = impl_of(bio);
  if (io == nullptr) return 0;
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      io->finish_datagram();
      return 1;
    case BIO_CTRL_WPENDING:
      return static_cast<long>(io->outgoing.size());
    case BIO_CTRL_PENDING:
      return io->incoming_pending ? static_cast<long>(io->incoming.size()) : 0;
    case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT:
      if (deadline_pointer_is_next_timeout()) io->openssl_deadline = static_cast<timeval*>(ptr);
      return 1;
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
      return static_cast<long>(io->config.mtu);
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
      return 0;  // our MTU already is the UDP payload
    default:
      return 0;
  }
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

int bio_destroy(BIO* bio) {
  BIO_set_data(bio, nullptr);
  return 1;
}

BIO_METHOD* datagram_bio_method() {
  // Built once per process and kept: every session's BIO points at it.
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "medley DTLS datagram");
    if (m == nullptr) return m;
    BIO_meth_set_write(m, &bio_write);
    BIO_meth_set_read(m, &bio_read);
    BIO_meth_set_ctrl(m, &bio_ctrl);
    BIO_meth_set_create(m, &bio_create);
    BIO_meth_set_destroy(m, &bio_destroy);
    return m;
  }();
  return method;
}

void on_info(const SSL* ssl, int where, int value) {
  if ((where & SSL_CB_ALERT) == 0) return;
  auto* io = impl_of(ssl);
  if (io == nullptr || (value >> 8) != SSL3_AL_FATAL) return;
  io->alert = std::string((where & SSL_CB_READ) ? "received" : "sent") + " fatal alert " +
              SSL_alert_desc_string_long(value);
}

unsigned int on_timer(SSL* ssl, unsigned int previous_us) {
  auto* io = impl_of(ssl);
  if (io == nullptr) return 1000000;
  if (previous_us == 0) {
    io->rto = io->config.initial_retransmit_timeout;  // a new flight
  } else {
    io->rto = std::min(io->rto * 2, io->config.max_retransmit_timeout);  // a retransmission is about to go
    ++io->stats.retransmission_timeouts;
  }
  io->deadline = io->now + io->rto;
  if (deadline_pointer_is_next_timeout()) return kOpenSslFarTimeoutUs;
  return static_cast<unsigned int>(std::clamp<int64_t>(io->rto.us(), 1, UINT_MAX));
}

}  // namespace

// The verify callback of every DtlsContext (see dtls_context.cpp): pins the peer's leaf certificate to the
// expected fingerprint when it is already known, so a mismatch aborts the handshake with bad_certificate.
int dtls_verify_peer_callback(int /*preverify_ok*/, X509_STORE_CTX* store) {
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* io = ssl != nullptr ? impl_of(ssl) : nullptr;
  if (io == nullptr) return 0;
  if (X509_STORE_CTX_get_error_depth(store) != 0) return 1;  // the fingerprint names the leaf only
  if (!io->expected) return 1;                                 // checked when it arrives, before any key
  auto got = Fingerprint::of(X509_STORE_CTX_get_current_cert(store), io->expected->algorithm);
  if (got && got->bytes == io->expected->bytes) return 1;
  io->verify_failure = "remote certificate does not match the SDP fingerprint: expected " + io->expected->to_sdp() +
                       ", got " + (got ? got->value() : std::string("none"));
  return 0;
}

DtlsTransport::Impl::Impl(std::shared_ptr<const DtlsContext> ctx, const DtlsTransportConfig& cfg)
    : context(std::move(ctx)), config(cfg), expected(cfg.remote_fingerprint) {
  config.mtu = std::clamp<size_t>(config.mtu, 256, 16384);
  if (config.initial_retransmit_timeout <= base::Duration::zero())
    config.initial_retransmit_timeout = base::Duration::millis(100);
  config.max_retransmit_timeout = std::max(config.max_retransmit_timeout, config.initial_retransmit_timeout);
  rto = config.initial_retransmit_timeout;

  ERR_clear_error();
  BIO_METHOD* method = datagram_bio_method();
  ssl = (context && method) ? SSL_new(context->native()) : nullptr;
  BIO* bio = ssl != nullptr ? BIO_new(method) : nullptr;
  if (bio == nullptr) {
    // Only on allocation failure; the transport reports Failed on its first call.
    SSL_free(ssl);
    ssl = nullptr;
    state = State::Failed;
    verify_failure = openssl_errors("DTLS session setup failed");
    return;
  }
  BIO_set_data(bio, this);
  SSL_set_bio(ssl, bio, bio);  // one BIO for both directions; the SSL owns it
  SSL_set_app_data(ssl, this);
  SSL_set_mtu(ssl, static_cast<long>(config.mtu));
  DTLS_set_timer_cb(ssl, &on_timer);
  SSL_set_info_callback(ssl, &on_info);
  if (config.role == DtlsRole::Client)
    SSL_set_connect_state(ssl);
  else
    SSL_set_accept_state(ssl);
}

void DtlsTransport::Impl::advance() {
  if (state == State::Connecting && !handshake_done) {
    ERR_clear_error();
    const int r = SSL_do_handshake(ssl);
    if (r == 1) {
      handshake_done = true;
      on_handshake_done();
    } else {
      const int e = SSL_get_error(ssl, r);
      if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
        fail(error_reason("DTLS handshake failed", e));
        return;
      }
    }
  }
  // After the handshake: application data, close_notify, and the peer's retransmitted last flight (OpenSSL
  // answers it from inside SSL_read by resending its own).
  if (handshake_done && (state == State::Connecting || state == State::Connected)) read_records();
}

void DtlsTransport::Impl::read_records() {
  if (read_buffer.empty()) read_buffer.resize(kMaxApplicationData + 1024);
  for (;;) {
    ERR_clear_error();
    const int r = SSL_read(ssl, read_buffer.data(), static_cast<int>(read_buffer.size()));
    if (r > 0) {
      // Before the fingerprint is checked nothing the peer sends is trusted: dropped.
      if (state == State::Connected) {
        ++stats.application_records_in;
        emit(DtlsApplicationData{std::vector<uint8_t>(read_buffer.begin(), read_buffer.begin() + r)});
      }
      continue;
    }
    const int e = SSL_get_error(ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return;
    if (e == SSL_ERROR_ZERO_RETURN) {  // close_notify
      ERR_clear_error();
      state = State::Closed;
      deadline = base::Timestamp::infinite();
      emit(DtlsClosed{});
      return;
    }
    fail(error_reason("DTLS read failed", e));
    return;
  }
}

void DtlsTransport::Impl::on_handshake_done() {
  if (SSL_get0_peer_certificate(ssl) == nullptr) {
    fail("peer sent no certificate");
    return;
  }
  if (expected) verify_and_connect();
  // Otherwise set_remote_fingerprint() finishes the job.
}

void DtlsTransport::Impl::verify_and_connect() {
  // The check that counts (RFC 8122 §5, RFC 5763 §5): before any key leaves OpenSSL.
  auto got = Fingerprint::of(SSL_get0_peer_certificate(ssl), expected->algorithm);
  if (!got || got->bytes != expected->bytes) {
    fail("remote certificate does not match the SDP fingerprint: expected " + expected->to_sdp() + ", got " +
         (got ? got->value() : std::string("none")));
    return;
  }
  DtlsConnected c;
  c.role = config.role;
  c.remote_fingerprint = std::move(*got);
  if (const SRTP_PROTECTION_PROFILE* p = SSL_get_selected_srtp_profile(ssl)) {
    c.srtp_profile_id = static_cast<uint16_t>(p->id);
    c.srtp_profile_name = p->name != nullptr ? p->name : "";
    const size_t len = srtp_keying_material_len(c.srtp_profile_id);
    if (len == 0) {
      fail("negotiated an SRTP profile we did not offer: " + c.srtp_profile_name);
      return;
    }
    c.keying_material.resize(len);
    static constexpr char kLabel[] = "EXTRACTOR-dtls_srtp";
    ERR_clear_error();
    if (SSL_export_keying_material(ssl, c.keying_material.data(), len, kLabel, sizeof kLabel - 1, nullptr, 0, 0) !=
        1) {
      fail(openssl_errors("exporting DTLS-SRTP keys failed"));
      return;
    }
  }
  state = State::Connected;
  if (config.release_when_idle) {
    release_at = config.role == DtlsRole::Client ? now : now + config.server_release_grace;
  }
  emit(std::move(c));
}

DtlsTransport::DtlsTransport(std::shared_ptr<const DtlsContext> context, const DtlsTransportConfig& config)
    : impl_(std::make_unique<Impl>(std::move(context), config)) {}
DtlsTransport::~DtlsTransport() = default;
DtlsTransport::DtlsTransport(DtlsTransport&&) noexcept = default;
DtlsTransport& DtlsTransport::operator=(DtlsTransport&&) noexcept = default;

void DtlsTransport::start(base::Timestamp now, DtlsOutbox& out) {
  Impl& i = *impl_;
  if (i.ssl == nullptr) {
    Impl::Call call(i, now, out);
    i.state = State::Connecting;
    i.fail(i.verify_failure);
    return;
  }
  if (i.state != State::New) return;
  Impl::Call call(i, now, out);
  i.state = State::Connecting;
  if (i.config.role == DtlsRole::Client) i.advance();
}

void DtlsTransport::handle_datagram(base::Timestamp now, base::Bytes datagram, DtlsOutbox& out) {
  Impl& i = *impl_;
  ++i.stats.datagrams_in;
  if (i.released && i.state == State::Connected) {
    // Only the peer's close_notify can still mean something (see DtlsTransportConfig::release_when_idle).
    const std::vector<uint8_t>& ours = i.close_notify;
    if (!ours.empty() && datagram.size() == ours.size() && datagram[0] == 21 && datagram[3] == ours[3] &&
        datagram[4] == ours[4]) {
      Impl::Call call(i, now, out);
      i.state = State::Closed;
      i.emit(DtlsClosed{});
    } else {
      ++i.stats.datagrams_ignored;
    }
    return;
  }
  if (i.ssl == nullptr || datagram.empty() || i.state == State::Closed || i.state == State::Failed ||
      (i.state == State::New && i.config.role == DtlsRole::Client)) {
    ++i.stats.datagrams_ignored;
    return;
  }
  Impl::Call call(i, now, out);
  if (i.state == State::Failed) return;
  if (i.state == State::New) i.state = State::Connecting;
  i.incoming = datagram;
  i.incoming_pending = true;
  i.advance();
}

void DtlsTransport::handle_timeout(base::Timestamp now, DtlsOutbox& out) {
  Impl& i = *impl_;
  if (i.ssl == nullptr || (i.state != State::Connecting && i.state != State::Connected)) return;
  if (i.deadline.is_infinite() || now < i.deadline) return;
  Impl::Call call(i, now, out);
  if (i.state == State::Failed) return;
  timeval left{};
  if (DTLSv1_get_timeout(i.ssl, &left) != 1) return;  // OpenSSL stopped its timer: Call clears ours
  if (i.openssl_deadline != nullptr && (i.openssl_deadline->tv_sec != 0 || i.openssl_deadline->tv_usec != 0)) {
    i.openssl_deadline->tv_sec = 1;  // see the top of this file
    i.openssl_deadline->tv_usec = 0;
  }
  ERR_clear_error();
  const int r = DTLSv1_handle_timeout(i.ssl);
  if (r < 0) {
    i.fail(i.error_reason("DTLS handshake timed out"));
  } else if (r == 0) {
    // Wall-clock mode and OpenSSL's clock is not there yet: look again when it will be.
    ERR_clear_error();
    const int64_t us = int64_t{left.tv_sec} * 1000000 + left.tv_usec;
    i.deadline = now + base::Duration::micros(std::max<int64_t>(us, 1000));
  }
}

base::Timestamp DtlsTransport::next_timeout() const { return impl_->deadline; }

bool DtlsTransport::set_remote_fingerprint(const Fingerprint& fingerprint, DtlsOutbox& out) {
  Impl& i = *impl_;
  if (i.state == State::Connected || i.state == State::Closed || i.state == State::Failed) return false;
  i.expected = fingerprint;
  if (i.handshake_done && i.state == State::Connecting) {
    Impl::Call call(i, i.now, out);
    if (i.state != State::Failed) i.verify_and_connect();
  }
  return true;
}

std::optional<DtlsSendError> DtlsTransport::send_application_data(base::Bytes bytes, DtlsOutbox& out) {
  Impl& i = *impl_;
  if (i.state != State::Connected || i.released) return DtlsSendError::NotConnected;
  if (bytes.size() > kMaxApplicationData) return DtlsSendError::TooLarge;
  if (bytes.empty()) return std::nullopt;
  Impl::Call call(i, i.now, out);
  if (i.state == State::Failed) return DtlsSendError::Failed;
  ERR_clear_error();
  const int r = SSL_write(i.ssl, bytes.data(), static_cast<int>(bytes.size()));
  if (r <= 0) {
    i.fail(i.error_reason("DTLS write failed"));
    return DtlsSendError::Failed;
  }
  ++i.stats.application_records_out;
  i.finish_datagram();  // one record, one datagram (one SCTP packet each, RFC 8261 §5)
  return std::nullopt;
}

void DtlsTransport::close(base::Timestamp now, DtlsOutbox& out) {
  Impl& i = *impl_;
  if (i.state == State::Closed || i.state == State::Failed) return;
  Impl::Call call(i, now, out);
  if (i.state == State::Failed) return;
  if (i.ssl != nullptr && i.handshake_done) {
    ERR_clear_error();
    SSL_shutdown(i.ssl);  // close_notify; we do not wait for the peer's
    ERR_clear_error();
  } else if (i.released && !i.close_notify.empty()) {
    i.outgoing = std::move(i.close_notify);  // made at release time; Call sends it
    i.close_notify = {};
  }
  i.state = State::Closed;
  i.deadline = base::Timestamp::infinite();
  i.emit(DtlsClosed{});
}

bool DtlsTransport::released() const { return impl_->released; }

DtlsTransport::State DtlsTransport::state() const { return impl_->state; }
DtlsRole DtlsTransport::role() const { return impl_->config.role; }
const DtlsTransport::Stats& DtlsTransport::stats() const { return impl_->stats; }

}  // namespace medley::ice
