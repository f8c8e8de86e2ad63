// The receive path end to end on real packets: ffmpeg's RTP (VP8, VP9, H.264) arrives out of order, goes through
// RtpPacketView, ReceiveStream and the JitterBuffer with the real depacketizers, and comes out as exactly the
// frames the encoder wrote.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "payload_test_util.hpp"
#include "rtp/base/buffer.hpp"
#include "rtp/jitter_buffer.hpp"
#include "rtp/packet_view.hpp"
#include "rtp/payload/h264.hpp"
#include "rtp/payload/payload.hpp"
#include "rtp/receive_stream.hpp"

using namespace medley;
using namespace medley::rtp;
using Vec = std::vector<uint8_t>;

namespace {
Vec read_file(const std::string& relative) { return test::read_data(relative); }


struct Case {
  const char* dir;
  base::CodecId codec;
  int key_packets;
  int delta_packets;
};

std::vector<base::EncodedFrame> run(const Case& c, base::BufferPool& pool, ReceiveStream& stream) {
  std::vector<base::BufferRef> packets;
  for (int i = 0; i < c.key_packets; ++i) {
    packets.push_back(pool.copy_of(read_file(std::string(c.dir) + "/key_" + std::to_string(i) + ".bin")));
  }
  for (int i = 0; i < c.delta_packets; ++i) {
    packets.push_back(pool.copy_of(read_file(std::string(c.dir) + "/delta_" + std::to_string(i) + ".bin")));
  }
  // Arrival order: the network reversed the keyframe's packets and mixed the delta frame's into them:
  // key[n-1], delta[1], key[n-2] ... key[0], delta[0].
  std::vector<base::BufferRef> order;
  order.push_back(packets[c.key_packets - 1]);
  order.push_back(packets[c.key_packets + 1]);
  for (int i = c.key_packets - 2; i >= 0; --i) order.push_back(packets[i]);
  order.push_back(packets[c.key_packets]);

  JitterBuffer jb(make_depacketizer(c.codec), JitterBuffer::Config::video(c.codec));
  std::vector<base::EncodedFrame> frames;
  int64_t t_ms = 0;
  for (const base::BufferRef& buf : order) {
    const base::Timestamp now = base::Timestamp::millis(t_ms++);
    auto view = RtpPacketView::parse(buf->span());
    EXPECT_TRUE(view);
    if (!view) continue;
    auto seq = stream.handle_packet(*view, now, false);
    EXPECT_TRUE(seq);
    JitterPacket p;
    p.seq = *seq;
    p.rtp_timestamp = view->timestamp();
    p.marker = view->marker();
    p.buffer = buf;
    p.offset = static_cast<uint32_t>(view->header_size());
    p.size = static_cast<uint32_t>(view->payload_size());
    p.arrival = now;
    EXPECT_EQ(jb.insert(std::move(p), now), JitterInsertResult::Stored);
    base::EncodedFrame f;
    while (jb.poll(now, f)) frames.push_back(f);
  }
  // The owner's timer: poll again when the buffer says (H.264 holds the first frame briefly, see start_hold).
  while (!jb.next_timeout().is_infinite()) {
    const base::Timestamp due = jb.next_timeout();
    base::EncodedFrame f;
    bool any = false;
    while (jb.poll(due, f)) {
      frames.push_back(f);
      any = true;
    }
    if (!any) break;
  }
  EXPECT_FALSE(jb.poll_event().has_value()) << "no loss, no drop, no keyframe request expected";
  return frames;
}
}  // namespace

class ReceivePath : public ::testing::TestWithParam<Case> {};

TEST_P(ReceivePath, ReorderedCapturedPacketsBecomeTheEncodersFrames) {
  const Case c = GetParam();
  base::BufferPool pool;
  ReceiveStream stream(ReceiveStreamConfig{.ssrc = Ssrc{0}});
  std::vector<base::EncodedFrame> frames = run(c, pool, stream);
  ASSERT_EQ(frames.size(), 2u);
  Vec key_ref = read_file(std::string(c.dir) + "/key.ref");
  Vec delta_ref = read_file(std::string(c.dir) + "/delta.ref");
  if (c.codec == base::CodecId::H264) {
    key_ref = test::annex_b_4byte(key_ref);
    delta_ref = test::annex_b_4byte(delta_ref);
  }
  EXPECT_TRUE(frames[0].keyframe);
  EXPECT_EQ(frames[0].width, 320);
  EXPECT_EQ(frames[0].height, 240);
  EXPECT_EQ(frames[0].data, key_ref);
  EXPECT_FALSE(frames[1].keyframe);
  EXPECT_EQ(frames[1].data, delta_ref);
  // Reordering is not loss: the stream saw every packet and has nothing to NACK.
  std::vector<uint16_t> nacks;
  stream.poll_feedback(base::Timestamp::millis(1000), nacks);
  EXPECT_TRUE(nacks.empty());
  EXPECT_EQ(stream.statistics().cumulative_lost(), 0);
}

INSTANTIATE_TEST_SUITE_P(Codecs, ReceivePath,
                         ::testing::Values(Case{"vp8", base::CodecId::Vp8, 6, 2}, Case{"vp9", base::CodecId::Vp9, 5, 2},
                                           Case{"h264", base::CodecId::H264, 6, 2}),
                         [](const auto& info) { return std::string(info.param.dir); });
