// VP8 -> H.264 720p30 transcoding cost, in frames per core-second (user + sys CPU), side by side in one run:
//  bare     libvpx vpx_codec_decode + openh264 EncodeFrame called directly: the codecs' own cost, our limit;
//  wrapper  codec::VideoDecoder -> Scaler (only if the size differs) -> codec::VideoEncoder;
//  branch   the wrapper plus RTP: VP8 depacketize (1200-byte payloads) before, H.264 packetize after;
//  ffmpeg   Debian's ffmpeg, libvpx decode -> libx264 ultrafast/zerolatency, one thread, CPU of the child.
// Issue 6 targets: wrapper (and branch) >= 0.9 x bare, and ahead of ffmpeg.
// The 5 s clip (ffmpeg testsrc2, libvpx realtime, 2 Mbit/s, IVF) is made at start in a temporary directory.
#include <benchmark/benchmark.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>
#include <wels/codec_api.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "codec/scaler.hpp"
#include "codec/video_codec.hpp"
#include "rtp/payload/payload.hpp"

extern char** environ;

using namespace medley;

namespace {

constexpr int kWidth = 1280;
constexpr int kHeight = 720;
constexpr uint32_t kBitrate = 2'000'000;

struct Clip {
  std::vector<std::vector<uint8_t>> frames;
  std::string path;
};

double cpu_seconds(int who) {
  rusage ru{};
  getrusage(who, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// Runs argv, waits, returns the child's user + sys CPU seconds (negative on failure).
double run_child(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return -1;
  int status = 0;
  rusage ru{};
  if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

const Clip& clip() {
  static Clip c = [] {
    Clip clip;
    if (access("/usr/bin/ffmpeg", X_OK) != 0) {
      std::fprintf(stderr, "bench_codec: /usr/bin/ffmpeg is missing (apt-get install ffmpeg)\n");
      std::exit(1);
    }
    const auto dir = std::filesystem::temp_directory_path() / ("bench_codec_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    clip.path = (dir / "testsrc2_720p30.ivf").string();
    if (run_child({"/usr/bin/ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                   "testsrc2=size=1280x720:rate=30", "-t", "5", "-c:v", "libvpx", "-deadline", "realtime", "-b:v",
                   "2M", "-f", "ivf", clip.path}) < 0) {
      std::fprintf(stderr, "bench_codec: ffmpeg could not make the clip\n");
      std::exit(1);
    }
    std::ifstream in(clip.path, std::ios::binary);
    std::vector<uint8_t> ivf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // IVF: 32-byte file header, then per frame a 12-byte header (4-byte LE size, 8-byte pts) and the frame.
    size_t pos = ivf.size() >= 32 ? ivf[6] | (ivf[7] << 8) : ivf.size();
    while (pos + 12 <= ivf.size()) {
      const size_t n = ivf[pos] | (ivf[pos + 1] << 8) | (ivf[pos + 2] << 16) | (static_cast<size_t>(ivf[pos + 3]) << 24);
      pos += 12;
      if (pos + n > ivf.size()) break;
      clip.frames.emplace_back(ivf.begin() + static_cast<ptrdiff_t>(pos), ivf.begin() + static_cast<ptrdiff_t>(pos + n));
      pos += n;
    }
    if (clip.frames.size() < 100) {
      std::fprintf(stderr, "bench_codec: clip has %zu frames\n", clip.frames.size());
      std::exit(1);
    }
    return clip;
  }();
  return c;
}

struct Figures {
  double decode_only = 0, bare = 0, wrapper = 0, branch = 0, ffmpeg = 0;
} figures;

// Frames per core-second over all iterations, reported as a counter and kept for the summary.
class CpuMeter {
 public:
  explicit CpuMeter(benchmark::State& state) : state_(state) {}
  void start() { t0_ = cpu_seconds(RUSAGE_SELF); }
  void stop(size_t frames) {
    cpu_ += cpu_seconds(RUSAGE_SELF) - t0_;
    frames_ += frames;
  }
  double finish(double& slot) {
    const double fps = cpu_ > 0 ? static_cast<double>(frames_) / cpu_ : 0;
    state_.counters["frames_per_core_s"] = fps;
    slot = fps;
    return fps;
  }

 private:
  benchmark::State& state_;
  double t0_ = 0, cpu_ = 0;
  size_t frames_ = 0;
};

// The openh264 settings of codec::H264Encoder for this configuration (single thread, 720p30, 2 Mbit/s).
ISVCEncoder* bare_h264_encoder() {
  ISVCEncoder* enc = nullptr;
  WelsCreateSVCEncoder(&enc);
  int trace = WELS_LOG_QUIET;
  enc->SetOption(ENCODER_OPTION_TRACE_LEVEL, &trace);
  SEncParamExt p;
  enc->GetDefaultParams(&p);
  p.iUsageType = CAMERA_VIDEO_REAL_TIME;
  p.iPicWidth = kWidth;
  p.iPicHeight = kHeight;
  p.iTargetBitrate = kBitrate;
  p.iMaxBitrate = kBitrate / 2 * 3;
  p.iRCMode = RC_BITRATE_MODE;
  p.fMaxFrameRate = 30;
  p.bEnableFrameSkip = true;
  p.uiIntraPeriod = 3000;
  p.eSpsPpsIdStrategy = CONSTANT_ID;
  p.iEntropyCodingModeFlag = 0;
  p.iMultipleThreadIdc = 1;
  p.bEnableDenoise = false;
  p.bEnableBackgroundDetection = false;
  p.bEnableAdaptiveQuant = true;
  p.bEnableSceneChangeDetect = true;
  p.bEnableLongTermReference = false;
  p.iTemporalLayerNum = 1;
  p.iSpatialLayerNum = 1;
  p.iNumRefFrame = 1;
  auto& l = p.sSpatialLayers[0];
  l.iVideoWidth = kWidth;
  l.iVideoHeight = kHeight;
  l.fFrameRate = 30;
  l.iSpatialBitrate = p.iTargetBitrate;
  l.iMaxSpatialBitrate = p.iMaxBitrate;
  l.uiProfileIdc = PRO_BASELINE;
  l.uiLevelIdc = LEVEL_3_1;
  l.sSliceArgument.uiSliceMode = SM_SINGLE_SLICE;
  if (enc->InitializeExt(&p) != 0) std::abort();
  return enc;
}

// The decoder's share of the bare loop.
void BM_Bare_Vp8DecodeOnly(benchmark::State& state) {
  const Clip& c = clip();
  CpuMeter meter(state);
  for (auto _ : state) {
    vpx_codec_ctx_t dec{};
    vpx_codec_dec_cfg_t cfg{};
    cfg.threads = 1;
    if (vpx_codec_dec_init(&dec, vpx_codec_vp8_dx(), &cfg, 0) != VPX_CODEC_OK) std::abort();
    meter.start();
    for (const auto& f : c.frames) {
      if (vpx_codec_decode(&dec, f.data(), static_cast<unsigned>(f.size()), nullptr, 0) != VPX_CODEC_OK) std::abort();
      vpx_codec_iter_t iter = nullptr;
      benchmark::DoNotOptimize(vpx_codec_get_frame(&dec, &iter));
    }
    meter.stop(c.frames.size());
    vpx_codec_destroy(&dec);
  }
  meter.finish(figures.decode_only);
}
BENCHMARK(BM_Bare_Vp8DecodeOnly)->Iterations(3)->Unit(benchmark::kMillisecond);

void BM_Bare_Vp8Decode_H264Encode(benchmark::State& state) {
  const Clip& c = clip();
  CpuMeter meter(state);
  size_t bytes_out = 0;
  for (auto _ : state) {
    vpx_codec_ctx_t dec{};
    vpx_codec_dec_cfg_t cfg{};
    cfg.threads = 1;
    if (vpx_codec_dec_init(&dec, vpx_codec_vp8_dx(), &cfg, 0) != VPX_CODEC_OK) std::abort();
    ISVCEncoder* enc = bare_h264_encoder();
    meter.start();
    for (const auto& f : c.frames) {
      if (vpx_codec_decode(&dec, f.data(), static_cast<unsigned>(f.size()), nullptr, 0) != VPX_CODEC_OK) std::abort();
      vpx_codec_iter_t iter = nullptr;
      vpx_image_t* img = vpx_codec_get_frame(&dec, &iter);
      if (img == nullptr) continue;
      SSourcePicture pic{};
      pic.iColorFormat = videoFormatI420;
      pic.iPicWidth = static_cast<int>(img->d_w);
      pic.iPicHeight = static_cast<int>(img->d_h);
      for (int i = 0; i < 3; ++i) {
        pic.iStride[i] = img->stride[i];
        pic.pData[i] = img->planes[i];
      }
      SFrameBSInfo info{};
      if (enc->EncodeFrame(&pic, &info) != cmResultSuccess) std::abort();
      bytes_out += static_cast<size_t>(info.iFrameSizeInBytes);
    }
    meter.stop(c.frames.size());
    enc->Uninitialize();
    WelsDestroySVCEncoder(enc);
    vpx_codec_destroy(&dec);
  }
  state.counters["kbit_s_out"] = static_cast<double>(bytes_out) * 8 / 1000 /
                                 (static_cast<double>(state.iterations()) * static_cast<double>(c.frames.size()) / 30);
  meter.finish(figures.bare);
}
BENCHMARK(BM_Bare_Vp8Decode_H264Encode)->Iterations(3)->Unit(benchmark::kMillisecond);

codec::VideoEncoderConfig h264_config() {
  codec::VideoEncoderConfig c;
  c.codec = base::CodecId::H264;
  c.width = kWidth;
  c.height = kHeight;
  c.bitrate_bps = kBitrate;
  c.fps = 30;
  return c;
}

void BM_Wrapper_Vp8ToH264(benchmark::State& state) {
  const Clip& c = clip();
  CpuMeter meter(state);
  size_t bytes_out = 0;
  std::vector<base::EncodedFrame> input(c.frames.size());
  for (size_t i = 0; i < c.frames.size(); ++i) {
    input[i].codec = base::CodecId::Vp8;
    input[i].rtp_timestamp = static_cast<uint32_t>(i * 3000);
    input[i].data = c.frames[i];
  }
  for (auto _ : state) {
    auto dec = std::move(*codec::make_video_decoder(base::CodecId::Vp8));
    auto enc = std::move(*codec::make_video_encoder(h264_config()));
    codec::Scaler scaler;
    codec::VideoFrame decoded, scaled;
    base::EncodedFrame out;
    meter.start();
    for (const auto& f : input) {
      if (dec->decode(f, decoded) != codec::DecodeStatus::FrameReady) std::abort();
      const codec::VideoFrame* picture = &decoded;
      if (decoded.width != kWidth || decoded.height != kHeight) {
        scaler.scale(decoded, kWidth, kHeight, scaled);
        picture = &scaled;
      }
      if (enc->encode(*picture, false, out) == codec::EncodeStatus::Error) std::abort();
      bytes_out += out.data.size();
    }
    meter.stop(c.frames.size());
  }
  state.counters["kbit_s_out"] = static_cast<double>(bytes_out) * 8 / 1000 /
                                 (static_cast<double>(state.iterations()) * static_cast<double>(c.frames.size()) / 30);
  meter.finish(figures.wrapper);
}
BENCHMARK(BM_Wrapper_Vp8ToH264)->Iterations(3)->Unit(benchmark::kMillisecond);

// The transcoding branch as the server will run it, minus the jitter buffer: RTP payloads in, RTP payloads out.
void BM_Branch_RtpVp8ToRtpH264(benchmark::State& state) {
  const Clip& c = clip();
  CpuMeter meter(state);
  constexpr size_t kMaxPayload = 1200;
  // The publisher's packets, made once outside the measurement.
  std::vector<std::vector<std::vector<uint8_t>>> packets(c.frames.size());
  {
    auto pk = rtp::make_packetizer(base::CodecId::Vp8);
    std::vector<uint8_t> buf(kMaxPayload);
    for (size_t i = 0; i < c.frames.size(); ++i) {
      base::EncodedFrame f;
      f.codec = base::CodecId::Vp8;
      f.data = c.frames[i];
      if (!pk->begin(f, kMaxPayload)) std::abort();
      bool marker = false;
      while (auto n = pk->next(buf, marker)) packets[i].emplace_back(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(*n));
    }
  }
  size_t packets_out = 0;
  for (auto _ : state) {
    auto depack = rtp::make_depacketizer(base::CodecId::Vp8);
    auto pack = rtp::make_packetizer(base::CodecId::H264);
    auto dec = std::move(*codec::make_video_decoder(base::CodecId::Vp8));
    auto enc = std::move(*codec::make_video_encoder(h264_config()));
    codec::Scaler scaler;
    codec::VideoFrame decoded, scaled;
    base::EncodedFrame in, out;
    in.data.reserve(256 * 1024);
    std::vector<uint8_t> payload(kMaxPayload);
    meter.start();
    for (size_t i = 0; i < packets.size(); ++i) {
      in.clear();
      in.codec = base::CodecId::Vp8;
      in.rtp_timestamp = static_cast<uint32_t>(i * 3000);
      for (const auto& p : packets[i]) {
        if (!depack->inspect(p) || !depack->append(p, in)) std::abort();
      }
      if (dec->decode(in, decoded) != codec::DecodeStatus::FrameReady) std::abort();
      const codec::VideoFrame* picture = &decoded;
      if (decoded.width != kWidth || decoded.height != kHeight) {
        scaler.scale(decoded, kWidth, kHeight, scaled);
        picture = &scaled;
      }
      if (enc->encode(*picture, false, out) != codec::EncodeStatus::Encoded) continue;
      if (!pack->begin(out, kMaxPayload)) std::abort();
      bool marker = false;
      while (pack->next(payload, marker)) ++packets_out;
    }
    meter.stop(packets.size());
  }
  state.counters["packets_out"] = static_cast<double>(packets_out) / static_cast<double>(state.iterations());
  meter.finish(figures.branch);
}
BENCHMARK(BM_Branch_RtpVp8ToRtpH264)->Iterations(3)->Unit(benchmark::kMillisecond);

// What a user would otherwise pick: Debian's ffmpeg has no openh264 encoder, so libx264 at its fastest
// low-latency settings; one thread each for decoder, filters and encoder, as our transcoder runs on one core.
void BM_Ffmpeg_Vp8ToX264(benchmark::State& state) {
  const Clip& c = clip();
  double cpu = 0;
  for (auto _ : state) {
    const double t = run_child({"/usr/bin/ffmpeg", "-loglevel", "error", "-nostdin", "-threads", "1", "-i", c.path,
                                "-filter_threads", "1", "-c:v", "libx264", "-preset", "ultrafast", "-tune",
                                "zerolatency", "-b:v", "2M", "-threads", "1", "-f", "null", "-"});
    if (t < 0) {
      state.SkipWithError("ffmpeg failed");
      return;
    }
    cpu += t;
  }
  figures.ffmpeg = static_cast<double>(c.frames.size() * state.iterations()) / cpu;
  state.counters["frames_per_core_s"] = figures.ffmpeg;
}
BENCHMARK(BM_Ffmpeg_Vp8ToX264)->Iterations(3)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::printf("\nVP8 -> H.264, 1280x720 30 fps, %zu frames, frames per core-second (user+sys CPU):\n",
              clip().frames.size());
  std::printf("  (bare libvpx decode alone  %8.1f)\n", figures.decode_only);
  std::printf("  bare libvpx + openh264     %8.1f\n", figures.bare);
  std::printf("  our wrappers               %8.1f   ratio to bare %.3f (target >= 0.9)\n", figures.wrapper,
              figures.bare > 0 ? figures.wrapper / figures.bare : 0);
  std::printf("  branch with RTP (de)pack   %8.1f   ratio to bare %.3f\n", figures.branch,
              figures.bare > 0 ? figures.branch / figures.bare : 0);
  std::printf("  ffmpeg libvpx -> libx264   %8.1f   ours / ffmpeg %.2f (ultrafast, zerolatency, 1 thread)\n",
              figures.ffmpeg, figures.ffmpeg > 0 ? figures.wrapper / figures.ffmpeg : 0);
  std::error_code ec;
  std::filesystem::remove_all(std::filesystem::path(clip().path).parent_path(), ec);
  return 0;
}
