// Fuzz target for rtp/jitter_buffer: packet streams with loss, reordering, duplicates, jumps and wraps; traps
// unless every released frame holds bytes of exactly one frame, frames come out in sequence order, keyframe
// gating holds, and next_timeout() never asks for a poll that finds nothing to do.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "rtp/base/buffer.hpp"
#include "rtp/base/bytes.hpp"
#include "rtp/ids.hpp"
#include "rtp/jitter_buffer.hpp"

namespace {
using namespace medley;
using namespace medley::rtp;

#define CHECK(cond) \
  do {              \
    if (!(cond)) __builtin_trap(); \
  } while (0)

// Payload: [flags][rtp timestamp 4][unwrapped seq 8][fill length 1][fill]. The tag lets the checker see,
// for each byte run of a released frame, which packet (and so which frame) it came from.
constexpr uint8_t kStart = 1;
constexpr uint8_t kEnd = 2;
constexpr uint8_t kKey = 4;
constexpr uint8_t kBadInspect = 8;
constexpr uint8_t kBadAppend = 16;
constexpr size_t kHeader = 14;

class TagDepacketizer : public Depacketizer {
 public:
  std::optional<PayloadInfo> inspect(base::Bytes p) const override {
    if (p.size() < kHeader || (p[0] & kBadInspect)) return std::nullopt;
    PayloadInfo info;
    info.frame_start = p[0] & kStart;
    info.frame_end = p[0] & kEnd;
    info.keyframe = p[0] & kKey;
    return info;
  }
  bool append(base::Bytes p, base::EncodedFrame& f) override {
    if (p.size() < kHeader || (p[0] & kBadAppend)) return false;
    f.data.insert(f.data.end(), p.begin(), p.end());
    return true;
  }
  void reset() override {}
};

class Input {
 public:
  Input(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  bool empty() const { return n_ == 0; }
  uint8_t u8() {
    if (n_ == 0) return 0;
    --n_;
    return *p_++;
  }
  uint16_t u16() { return static_cast<uint16_t>((u8() << 8) | u8()); }
  uint32_t u32() { return (uint32_t{u16()} << 16) | u16(); }

 private:
  const uint8_t* p_;
  size_t n_;
};

struct Sent {
  uint16_t wire_seq;
  uint32_t ts;
  bool marker;
  uint8_t flags;
  uint8_t fill;
};

struct Fuzzer {
  explicit Fuzzer(Input& in) : in(in) {}

  void run() {
    uint8_t c = in.u8();
    JitterBuffer::Config config = JitterBuffer::Config::video(base::CodecId::Vp8);
    config.keyframe_gating = c & 1;
    config.one_packet_per_frame = c & 2;
    config.trust_frame_start = c & 4;
    static constexpr size_t kCaps[] = {16, 32, 64, 1024};
    config.max_packets = kCaps[(c >> 3) & 3];
    poll_after_insert = c & 0x20;
    static constexpr size_t kMaxFrames[] = {2, 8, 64, 1000};
    config.max_frames = kMaxFrames[(c >> 6) & 3];
    config.latency = base::Duration::millis(2 * (in.u8() + 1));
    config.keyframe_retry = base::Duration::millis(in.u8() * 4);
    gating = config.keyframe_gating;
    need_keyframe = gating;
    ts_base = in.u32();
    wire = in.u16();

    jb.emplace(std::make_unique<TagDepacketizer>(), config);
    while (!in.empty()) step(in.u8());
    now += base::Duration::seconds(100);
    poll();
    CHECK(jb->stats().frames_released == released);
    jb.reset();
  }

  void step(uint8_t op) {
    const uint8_t arg = op >> 4;
    switch (op & 15) {
      case 0: case 1: case 2: case 3: case 4: case 5:
        send(next_packet(arg));
        break;
      case 6:  // lost for now; maybe resent later
        next_packet(arg);
        break;
      case 7:  // retransmission or reordered arrival
        if (!history.empty()) send(history[(history.size() - 1 - arg) % history.size()]);
        break;
      case 8:
        if (arg == 15 && !jb->next_timeout().is_infinite()) {
          now = std::max(now, jb->next_timeout());  // exactly when the buffer asked to be polled
        } else {
          now += base::Duration::millis(arg * 8 + 1);
        }
        poll();
        break;
      case 9:
        if (arg == 15) {  // the owner resets (an SSRC change)
          jb->reset();
          need_keyframe = gating;
          last_seq.reset();
          quiet_until = jb->next_timeout();
        }
        poll();
        break;
      case 10: {  // sequence jump (small or large, forwards or backwards), and a new frame
        int16_t delta = static_cast<int16_t>(in.u16());
        wire = static_cast<uint16_t>(wire + delta);
        new_frame(arg);
        break;
      }
      case 11: {  // a packet the depacketizer rejects
        Sent s = next_packet(arg);
        s.flags |= (arg & 1) ? kBadInspect : kBadAppend;
        send(s);
        break;
      }
      case 12:  // padding, between frames as senders do
        if (pos == 0) send(Sent{wire++, ts_of(frame_id == 0 ? 0 : frame_id - 1), false, 0, 0xff});
        break;
      case 13:  // timestamp jump (wraps 2^32)
        ts_base += in.u32();
        new_frame(arg);
        break;
      case 14:  // a packet with an arbitrary timestamp and flags at the next sequence number
        send(Sent{wire++, in.u32(), (arg & 1) != 0, static_cast<uint8_t>(arg & (kStart | kEnd | kKey)), arg});
        break;
      case 15:  // immediate duplicate
        if (!history.empty()) send(history.back());
        break;
    }
  }

  uint32_t ts_of(uint32_t id) const { return ts_base + id * 3000; }

  void new_frame(uint8_t arg) {
    ++frame_id;
    pos = 0;
    frame_len = 1 + arg % 5;
    key = (arg & 6) == 0;
  }

  Sent next_packet(uint8_t arg) {
    Sent s{wire++, ts_of(frame_id), false, 0, static_cast<uint8_t>(arg * 3)};
    if (pos == 0) s.flags |= kStart;
    if (key) s.flags |= kKey;
    if (++pos >= frame_len) {
      s.marker = true;
      if (arg & 8) s.flags |= kEnd;
      new_frame(arg);
    }
    history.push_back(s);
    if (history.size() > 32) history.erase(history.begin());
    return s;
  }

  void send(const Sent& s) {
    SeqNo seq = unwrapper.unwrap(s.wire_seq);
    JitterPacket p;
    p.seq = seq;
    p.rtp_timestamp = s.ts;
    p.marker = s.marker;
    p.arrival = now;
    if (s.fill != 0xff) {
      uint8_t bytes[kHeader + 16];
      bytes[0] = s.flags;
      base::store_be32(bytes + 1, s.ts);
      base::store_be64(bytes + 5, static_cast<uint64_t>(seq));
      uint8_t fill = s.fill % 16;
      bytes[13] = fill;
      for (uint8_t i = 0; i < fill; ++i) bytes[kHeader + i] = 0xa5;
      p.buffer = pool.copy_of(base::Bytes{bytes, kHeader + fill});
      CHECK(p.buffer);
      p.size = static_cast<uint32_t>(kHeader + fill);
    }
    jb->insert(std::move(p), now);
    drain_events();
    quiet_until = jb->next_timeout();
    CHECK(jb->packets_held() <= jb->capacity());
    if (poll_after_insert) poll();
  }

  void drain_events() {
    while (auto e = jb->poll_event()) {
      if (std::holds_alternative<FramesLost>(*e)) {
        CHECK(std::get<FramesLost>(*e).count >= 1);
        need_keyframe = gating;
      } else if (auto* d = std::get_if<FrameDropped>(&*e)) {
        if (d->reason == FrameDropReason::Malformed) need_keyframe = gating;
      } else if (std::holds_alternative<StreamReset>(*e)) {
        need_keyframe = gating;
        last_seq.reset();
      }
    }
  }

  void poll() {
    // Without new packets, nothing may come out before the time next_timeout() announced.
    const bool early = now < quiet_until;
    while (jb->poll(now, frame)) {
      CHECK(!early);
      drain_events();
      check(frame);
    }
    drain_events();
    // A poll that found nothing must not be asked for again before time moves on.
    CHECK(jb->next_timeout() > now);
    quiet_until = jb->next_timeout();
  }

  void check(const base::EncodedFrame& f) {
    ++released;
    CHECK(!f.data.empty());
    if (need_keyframe) CHECK(f.keyframe);
    if (f.keyframe) need_keyframe = false;
    base::ByteReader r(f.data);
    std::optional<SeqNo> prev;
    bool any_key = false;
    while (!r.empty()) {
      uint8_t flags = r.u8();
      uint32_t ts = r.u32();
      SeqNo seq = static_cast<SeqNo>(r.u64());
      uint8_t fill = r.u8();
      r.skip(fill);
      CHECK(r.ok());
      CHECK((flags & (kBadInspect | kBadAppend)) == 0);
      CHECK(ts == f.rtp_timestamp);  // one frame's bytes only
      if (prev) CHECK(seq == *prev + 1);
      if (!prev && last_seq) CHECK(seq > *last_seq);  // decode order
      any_key |= (flags & kKey) != 0;
      prev = seq;
    }
    CHECK(any_key == f.keyframe);
    last_seq = prev;
  }

  Input& in;
  base::BufferPool pool{64, 0};
  std::optional<JitterBuffer> jb;
  SeqUnwrapper unwrapper;
  base::Timestamp now = base::Timestamp::millis(1000);
  base::Timestamp quiet_until;
  base::EncodedFrame frame;
  std::vector<Sent> history;
  uint32_t ts_base = 0;
  uint16_t wire = 0;
  uint32_t frame_id = 0;
  int pos = 0;
  int frame_len = 1;
  bool key = true;
  bool gating = true;
  bool poll_after_insert = true;
  bool need_keyframe = true;
  std::optional<SeqNo> last_seq;
  uint64_t released = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  Fuzzer f(in);
  f.run();
  return 0;
}
