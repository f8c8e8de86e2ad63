// RecorderEndpoint's media path end to end (issue 5): RTP packets of a 2 Mbit/s VP8 stream (30 fps, a keyframe
// every 2 s, ~1100-byte packets) and 20 ms Opus packets published into routers, through media::Recorder's sinks,
// jitter buffers and the WebM (or fragmented MP4, audio only) writer into a real file in /tmp (page cache, no
// fsync). Prints media seconds recorded per CPU second = how many simultaneous 2 Mbit/s recordings one core
// sustains without falling behind, and the file throughput.
//
// Run: build/hr/bench/bench_recorder
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include "rtp/packet_writer.hpp"
#include "server/media/recorder.hpp"

using namespace medley;
using namespace medley::server::media;

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Source {
  std::shared_ptr<Router> router;
  base::BufferPool pool;
  uint16_t seq = 1;
  uint32_t ssrc;
  uint8_t pt;

  Source(MediaKind kind, uint32_t clock, uint8_t payload_type, base::CodecId codec, uint32_t s)
      : ssrc(s), pt(payload_type) {
    RtpSourceInfo info{kind, clock, {}, {}};
    info.codecs.emplace_back(rtp::PayloadType(payload_type), codec);
    router = std::make_shared<Router>(std::move(info));
  }

  void send(uint32_t ts, bool marker, const uint8_t* payload, size_t n, base::Timestamp now) {
    base::BufferRef b = pool.acquire();
    rtp::RtpPacketWriter w(b->writable());
    w.set_payload_type(rtp::PayloadType(pt));
    w.set_sequence_number(seq++);
    w.set_timestamp(ts);
    w.set_ssrc(rtp::Ssrc(ssrc));
    w.set_marker(marker);
    auto size = w.finish(base::Bytes(payload, n));
    b->resize(*size);
    auto view = rtp::RtpPacketView::parse(base::Bytes(b->data(), *size), router->info().extensions);
    router->publish(PublishedPacket{b, *view, &router->info(), now}, now);
  }
};

void run(benchmark::State& state, const char* profile_name, const char* ext) {
  const int seconds = 60;
  boost::asio::io_context io;  // never run: the recorder's timer and posts stay queued; the packet path is inline
  std::mt19937 rng(7);
  std::vector<uint8_t> frame(9000);
  for (auto& b : frame) b = static_cast<uint8_t>(rng());
  double media = 0, cpu = 0;
  uint64_t bytes = 0;
  for (auto _ : state) {
    const std::string path = "/tmp/medley-bench-recorder-" + std::to_string(::getpid()) + ext;
    RecorderConfig cfg;
    cfg.path = path;
    cfg.profile = *recorder_profile(profile_name);
    auto rec = std::make_shared<Recorder>(boost::asio::make_strand(io), cfg, nullptr);
    Source video(MediaKind::Video, 90000, 96, base::CodecId::Vp8, 1111);
    Source audio(MediaKind::Audio, 48000, 111, base::CodecId::Opus, 2222);
    rec->set_input(Recorder::Kind::Video, video.router);
    rec->set_input(Recorder::Kind::Audio, audio.router);
    io.restart();
    io.poll();  // runs the two set_input posts
    rec->record();
    const double c0 = cpu_seconds();
    base::Timestamp now = base::Timestamp::millis(100000);
    int audio_sent = 0;
    for (int f = 0; f < seconds * 30; ++f) {
      const bool key = f % 60 == 0;
      const uint32_t ts = static_cast<uint32_t>(f * 3000);
      // VP8 frame: 3-byte tag (P bit 0 on keyframes) and, on keyframes, start code and 320x240.
      frame[0] = key ? 0x10 : 0x11;
      frame[3] = 0x9d, frame[4] = 0x01, frame[5] = 0x2a, frame[6] = 0x40, frame[7] = 0x01, frame[8] = 0xf0, frame[9] = 0x00;
      const size_t size = 8333;  // 2 Mbit/s at 30 fps
      uint8_t pkt[1200];
      for (size_t off = 0; off < size; off += 1100) {
        const size_t n = std::min<size_t>(1100, size - off);
        pkt[0] = off == 0 ? 0x10 : 0x00;  // VP8 payload descriptor: S bit on the first packet, partition 0
        std::memcpy(pkt + 1, frame.data() + off, n);
        video.send(ts, off + n >= size, pkt, n + 1, now);
      }
      while (audio_sent * 20 <= f * 1000 / 30) {
        uint8_t opus[80];
        opus[0] = 0x78;  // TOC: SILK/CELT 20 ms, one frame
        for (int i = 1; i < 80; ++i) opus[i] = static_cast<uint8_t>(rng());
        audio.send(static_cast<uint32_t>(audio_sent * 960), true, opus, 80, now);
        ++audio_sent;
      }
      now = now + base::Duration::micros(33333);
    }
    rec->stop();
    cpu += cpu_seconds() - c0;
    media += seconds;
    bytes += std::filesystem::file_size(path);
    if (rec->stats().frames_written < static_cast<uint64_t>(seconds * 30)) state.SkipWithError("frames were lost");
    std::filesystem::remove(path);
  }
  state.counters["recordings_per_core"] = media / cpu;
  state.counters["file_MB_per_s"] = static_cast<double>(bytes) / cpu / 1e6;
  state.counters["cpu_us_per_media_s"] = cpu / media * 1e6;
}

void BM_RecordWebm(benchmark::State& s) { run(s, "WEBM", ".webm"); }
void BM_RecordMp4AudioOnly(benchmark::State& s) { run(s, "MP4_AUDIO_ONLY", ".mp4"); }
BENCHMARK(BM_RecordWebm)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RecordMp4AudioOnly)->Iterations(3)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
