// Tests for rtp/base: byte reader/writer, buffers and pool, time values, codec names.
#include <gtest/gtest.h>

#include <array>
#include <thread>
#include <vector>

#include "rtp/base/buffer.hpp"
#include "rtp/base/bytes.hpp"
#include "rtp/base/frame.hpp"
#include "rtp/base/time.hpp"

using namespace medley::base;

TEST(ByteReader, ReadsBigEndianAndFailsStickyPastEnd) {
  const std::array<uint8_t, 7> in{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
  ByteReader r(in);
  EXPECT_EQ(r.u8(), 0x01);
  EXPECT_EQ(r.u16(), 0x0203);
  EXPECT_EQ(r.u24(), 0x040506u);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 1u);
  EXPECT_EQ(r.u16(), 0);  // past the end
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.u8(), 0);  // stays failed even though one byte is left
  EXPECT_TRUE(r.bytes(1).empty());
}

TEST(ByteReader, SubReaderIsBounded) {
  const std::array<uint8_t, 6> in{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
  ByteReader r(in);
  ByteReader s = r.sub(2);
  EXPECT_EQ(s.u16(), 0xaabb);
  s.u8();
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.u32(), 0xccddeeffu);
  ByteReader t = r.sub(1);
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(t.ok());
}

TEST(ByteWriter, WritesAndRefusesOverflow) {
  std::array<uint8_t, 8> out{};
  ByteWriter w(out);
  w.u32(0xdeadbeef);
  size_t len_at = w.reserve(2);
  w.u8(0x7f);
  w.patch_u16(len_at, 0x1234);
  EXPECT_TRUE(w.ok());
  EXPECT_EQ(w.size(), 7u);
  EXPECT_EQ(out[4], 0x12);
  EXPECT_EQ(out[5], 0x34);
  w.u16(0xffff);  // one byte left: refused
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(w.size(), 7u);
  EXPECT_EQ(out[7], 0);
}

TEST(Time, ArithmeticAndInfinity) {
  Timestamp t = Timestamp::millis(5);
  EXPECT_EQ((t + Duration::millis(2)).us(), 7000);
  EXPECT_EQ((Timestamp::millis(9) - t).ms(), 4);
  EXPECT_TRUE((t + Duration::infinite()).is_infinite());
  EXPECT_EQ(earliest(t, Timestamp::infinite()), t);
}

TEST(BufferPool, RecyclesBuffersAndKeepsHeadroom) {
  BufferPool pool(256, 32);
  const std::array<uint8_t, 4> bytes{1, 2, 3, 4};
  Buffer* first = nullptr;
  {
    BufferRef a = pool.copy_of(bytes);
    ASSERT_TRUE(a);
    first = a.get();
    EXPECT_EQ(a->size(), 4u);
    EXPECT_EQ(a->headroom(), 32u);
    BufferRef b = a;
    EXPECT_EQ(a.use_count(), 2u);
    EXPECT_TRUE(b->prepend(12));
    EXPECT_EQ(b->size(), 16u);
    EXPECT_FALSE(b->prepend(100));
    EXPECT_EQ(pool.outstanding(), 1u);
  }
  EXPECT_EQ(pool.outstanding(), 0u);
  BufferRef c = pool.acquire();
  EXPECT_EQ(c.get(), first);  // recycled, not reallocated
  EXPECT_EQ(c->size(), 0u);
  EXPECT_EQ(c->headroom(), 32u);
  EXPECT_EQ(pool.allocated(), 1u);
  std::vector<uint8_t> big(300);
  EXPECT_FALSE(pool.copy_of(big));
}

TEST(BufferPool, LastReleaseMayHappenOnAnotherThread) {
  BufferPool pool(64, 0);
  std::vector<BufferRef> refs;
  for (int i = 0; i < 1000; ++i) refs.push_back(pool.acquire());
  std::thread t1([r = std::vector<BufferRef>(refs.begin(), refs.begin() + 500)]() mutable { r.clear(); });
  std::thread t2([r = std::vector<BufferRef>(refs.begin() + 500, refs.end())]() mutable { r.clear(); });
  refs.clear();
  t1.join();
  t2.join();
  EXPECT_EQ(pool.outstanding(), 0u);
  for (int i = 0; i < 1000; ++i) refs.push_back(pool.acquire());
  EXPECT_EQ(pool.allocated(), 1000u);
  refs.clear();
}

TEST(Codec, NamesRoundTrip) {
  EXPECT_EQ(codec_from_name("vp8"), CodecId::Vp8);
  EXPECT_EQ(codec_from_name("OPUS"), CodecId::Opus);
  EXPECT_EQ(codec_name(CodecId::H264), "H264");
  EXPECT_EQ(codec_from_name("G722"), CodecId::Unknown);
  EXPECT_EQ(kind_of(CodecId::Pcma), MediaKind::Audio);
}
