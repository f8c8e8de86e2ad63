// VideoTranscoder: jitter buffer → decoder → encoder → packetizer → router.
#include "server/media/transcoder.hpp"

#include <algorithm>
#include <random>

#include "server/log.hpp"

namespace medley::server::media {
namespace {
}  // namespace

VideoTranscoder::VideoTranscoder(TranscoderConfig config, uint64_t seed)
    : config_(std::move(config)), publisher_(config_.target, 90000, seed), output_(publisher_.router()) {
  bitrate_ = config_.initial_bitrate_bps;
}

VideoTranscoder::Stats VideoTranscoder::stats() const {
  return {decoded_.load(std::memory_order_relaxed), encoded_.load(std::memory_order_relaxed),
          decode_errors_.load(std::memory_order_relaxed)};
}

void VideoTranscoder::on_packet(const PublishedPacket& p, base::Timestamp now) {
  // Nobody wants this codec right now: no decoding, no encoding (the branch stays ready for the next sink).
  if (output_->sink_count() == 0) {
    keyframe_wanted_ = true;
    return;
  }
  const base::CodecId codec = p.source->codec_of(p.view.payload_type());
  if (codec == base::CodecId::Unknown || base::kind_of(codec) != base::MediaKind::Video) return;
  if (!jitter_ || codec != source_codec_ || p.view.ssrc() != source_ssrc_ || p.source != source_) {
    source_codec_ = codec;
    source_ssrc_ = p.view.ssrc();
    source_ = p.source;
    seq_.reset();
    jitter_ = std::make_unique<rtp::JitterBuffer>(rtp::make_depacketizer(codec), rtp::JitterBuffer::Config::video(codec));
    auto d = codec::make_video_decoder(codec);
    if (!d) {
      log::get("transcode")->warn("no decoder for {}: {}", base::codec_name(codec), d.error().message);
      jitter_.reset();
      return;
    }
    decoder_ = std::move(*d);
    if (Router* up = upstream()) up->request_keyframe(now);
  }
  const base::Bytes payload = p.view.payload();
  rtp::JitterPacket jp;
  jp.seq = seq_.unwrap(p.view.sequence_number());
  jp.rtp_timestamp = p.view.timestamp();
  jp.marker = p.view.marker();
  jp.buffer = p.buffer;
  jp.offset = static_cast<uint32_t>(payload.data() - p.buffer->data());
  jp.size = static_cast<uint32_t>(payload.size());
  jp.arrival = p.arrival;
  jitter_->insert(std::move(jp), now);
  while (jitter_->poll(now, in_)) on_frame(in_, now);
  while (auto e = jitter_->poll_event()) {
    if (std::holds_alternative<rtp::KeyframeNeeded>(*e) && now - last_keyframe_request_ >= base::Duration::millis(300)) {
      last_keyframe_request_ = now;
      if (Router* up = upstream()) up->request_keyframe(now);
    }
  }
}

void VideoTranscoder::on_frame(base::EncodedFrame& frame, base::Timestamp now) {
  const codec::DecodeStatus st = decoder_->decode(frame, picture_);
  if (st == codec::DecodeStatus::NeedKeyframe) {
    decode_errors_.fetch_add(1, std::memory_order_relaxed);
    if (now - last_keyframe_request_ >= base::Duration::millis(300)) {
      last_keyframe_request_ = now;
      if (Router* up = upstream()) up->request_keyframe(now);
    }
    return;
  }
  if (st != codec::DecodeStatus::FrameReady) return;
  decoded_.fetch_add(1, std::memory_order_relaxed);
  // The encoder follows the picture size (a new one for a new size) and its sinks' bandwidth estimate.
  if (!encoder_ || encoder_->config().width != picture_.width || encoder_->config().height != picture_.height) {
    // A size the encoder refused is not retried on every picture (a hostile stream could keep changing size).
    if (picture_.width == refused_width_ && picture_.height == refused_height_) return;
    codec::VideoEncoderConfig ec;
    ec.codec = config_.target;
    ec.width = picture_.width;
    ec.height = picture_.height;
    ec.bitrate_bps = bitrate_;
    ec.h264_profile_level_id = config_.h264_profile_level_id;
    ec.keyframe_interval = 0;  // keyframes on request only (new sinks, PLI)
    auto e = codec::make_video_encoder(ec);
    if (!e) {
      log::get("transcode")->warn("no {} encoder for {}x{}: {}", base::codec_name(config_.target), picture_.width,
                                  picture_.height, e.error().message);
      refused_width_ = picture_.width;
      refused_height_ = picture_.height;
      return;
    }
    encoder_ = std::move(*e);
    keyframe_wanted_ = true;
    log::get("transcode")->info("TRANSCODING ACTIVE for video: {} -> {} {}x{}", base::codec_name(source_codec_),
                                base::codec_name(config_.target), picture_.width, picture_.height);
  }
  if (now - last_rate_update_ >= base::Duration::seconds(1)) {
    last_rate_update_ = now;
    const uint64_t estimate = output_->min_sink_estimate();
    if (estimate > 0) {
      const auto target = static_cast<uint32_t>(
          std::clamp<uint64_t>(estimate, config_.min_bitrate_bps, config_.max_bitrate_bps));
      if (target != bitrate_ && encoder_->set_rates(target, 30.0)) bitrate_ = target;
    }
  }
  picture_.rtp_timestamp = frame.rtp_timestamp;
  const bool force = keyframe_wanted_.exchange(false);
  const codec::EncodeStatus es = encoder_->encode(picture_, force, out_);
  if (es != codec::EncodeStatus::Encoded) {
    if (force) keyframe_wanted_ = true;
    return;
  }
  encoded_.fetch_add(1, std::memory_order_relaxed);
  publisher_.publish(out_, frame.rtp_timestamp, now);
}

AudioTranscoder::AudioTranscoder(base::CodecId target, uint64_t seed)
    : target_(target),
      target_rate_(target == base::CodecId::Opus ? 48000 : 8000),
      publisher_(target, static_cast<uint32_t>(target_rate_), seed),
      output_(publisher_.router()) {
  ts_out_ = static_cast<uint32_t>(std::mt19937_64(seed ^ 0x9E3779B97F4A7C15ull)());
}

void AudioTranscoder::on_packet(const PublishedPacket& p, base::Timestamp now) {
  // Follow the input's numbering even while idle, so a sink joining later is not taken for a jump backwards.
  if (p.view.ssrc() != source_ssrc_) {
    source_ssrc_ = p.view.ssrc();
    seq_in_.reset();
    last_seq_ = -1;
    have_in_ts_ = false;
  }
  const int64_t seq = seq_in_.unwrap(p.view.sequence_number());
  if (output_->sink_count() == 0) {
    last_seq_ = seq;
    have_in_ts_ = false;
    return;
  }
  const base::CodecId codec = p.source->codec_of(p.view.payload_type());
  if (codec == base::CodecId::Unknown || base::kind_of(codec) != base::MediaKind::Audio || codec == target_) return;
  if (codec != source_codec_ || p.source != source_) {
    source_codec_ = codec;
    source_ = p.source;
    auto d = codec::make_audio_decoder(codec, 1);
    if (!d) return;
    decoder_ = std::move(*d);
    resampler_ = codec::Resampler::create(decoder_->sample_rate(), target_rate_, 1);
    codec::AudioEncoderConfig ec;
    ec.codec = target_;
    ec.sample_rate = target_rate_;
    ec.channels = 1;
    auto e = codec::make_audio_encoder(ec);
    if (!e || !resampler_) {
      decoder_.reset();
      return;
    }
    encoder_ = std::move(*e);
    fifo_.clear();
    seq_in_.reset();
    last_seq_ = -1;
    log::get("transcode")->info("TRANSCODING ACTIVE for audio: {} -> {}", base::codec_name(codec),
                                base::codec_name(target_));
  }
  if (!decoder_) return;
  if (seq <= last_seq_) return;  // late or duplicate (RTX): audio is not worth reordering here
  last_seq_ = seq;
  // Output time follows input time: a lost packet or a DTX pause moves the output on by as much, instead of
  // pulling the output timeline behind (what a receiver's jitter buffer would have to stretch).
  const uint32_t in_ts = p.view.timestamp();
  if (have_in_ts_) {
    const int32_t gap = static_cast<int32_t>(in_ts - expected_in_ts_);
    if (gap > 0 && gap < decoder_->sample_rate() * 10) {
      ts_out_ += static_cast<uint32_t>(static_cast<int64_t>(gap) * target_rate_ / decoder_->sample_rate());
      fifo_.clear();
    }
  }
  base::EncodedFrame in;
  in.codec = codec;
  in.rtp_timestamp = p.view.timestamp();
  in.data.assign(p.view.payload().begin(), p.view.payload().end());
  if (!decoder_->decode(in, decoded_)) return;
  have_in_ts_ = true;
  expected_in_ts_ = in_ts + static_cast<uint32_t>(decoded_.samples_per_channel());
  // Down-mix to mono, then to the target rate.
  const size_t n = decoded_.samples_per_channel();
  mono_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    int sum = 0;
    for (int c = 0; c < decoded_.channels; ++c) sum += decoded_.samples[i * static_cast<size_t>(decoded_.channels) + static_cast<size_t>(c)];
    mono_[i] = static_cast<int16_t>(sum / std::max(1, decoded_.channels));
  }
  resampled_.clear();
  resampler_->process(mono_, resampled_);
  fifo_.insert(fifo_.end(), resampled_.begin(), resampled_.end());
  const size_t frame = static_cast<size_t>(target_rate_ / 50);  // 20 ms
  while (fifo_.size() >= frame) {
    chunk_.sample_rate = target_rate_;
    chunk_.channels = 1;
    chunk_.rtp_timestamp = ts_out_;
    chunk_.samples.assign(fifo_.begin(), fifo_.begin() + static_cast<std::ptrdiff_t>(frame));
    fifo_.erase(fifo_.begin(), fifo_.begin() + static_cast<std::ptrdiff_t>(frame));
    const uint32_t ts = ts_out_;
    ts_out_ += static_cast<uint32_t>(frame);
    if (encoder_->encode(chunk_, out_) != codec::EncodeStatus::Encoded) continue;
    if (publisher_.publish(out_, ts, now)) encoded_.fetch_add(1, std::memory_order_relaxed);
  }
}

std::shared_ptr<Router> transcoded_branch(Router& source, base::CodecId target, uint64_t seed) {
  if (base::kind_of(target) == base::MediaKind::Audio) {
    return source.branch(target, [&source, target, seed]() -> std::shared_ptr<Router> {
      auto t = std::make_shared<AudioTranscoder>(target, seed);
      source.add_sink(t);
      return t->output();
    });
  }
  return source.branch(target, [&source, target, seed]() -> std::shared_ptr<Router> {
    auto t = std::make_shared<VideoTranscoder>(TranscoderConfig{.target = target}, seed);
    // A new sink of the branch, or a receiver's PLI, makes the encoder's next picture a keyframe.
    std::weak_ptr<VideoTranscoder> weak = t;
    t->output()->set_keyframe_requester([weak](base::Timestamp) {
      if (auto self = weak.lock()) self->request_keyframe();
    });
    source.add_sink(t);
    return t->output();
  });
}

}  // namespace medley::server::media
