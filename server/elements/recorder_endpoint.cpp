// RecorderEndpoint: URI and profile checks, operations and state over media::Recorder.
#include "server/elements/recorder_endpoint.hpp"

#include <cctype>
#include <string>

#include "server/elements/pipeline.hpp"
#include "server/elements/uri.hpp"

namespace medley::server::elements {
namespace {
using kurento::InvokeResult;
using kurento::Json;
using kurento::KurentoError;
namespace code = kurento::code;

}  // namespace

RecorderEndpoint::RecorderEndpoint(kurento::ObjectInit init, media::Strand strand, media::RecorderConfig config)
    : MediaNode(std::move(init)), strand_(std::move(strand)), config_(std::move(config)) {}

void RecorderEndpoint::start() {
  std::weak_ptr<kurento::MediaObject> weak = weak_from_this();
  recorder_ = std::make_shared<media::Recorder>(strand_, config_, [weak](const std::string& type, Json fields) {
    if (auto self = weak.lock(); self && !self->released()) self->emit(type, std::move(fields));
  });
}

void RecorderEndpoint::set_input(media::WebRtcSession::Kind kind, std::shared_ptr<media::Router> source) {
  recorder_->set_input(kind, std::move(source));
}

void RecorderEndpoint::on_release() {
  MediaNode::on_release();
  // Kurento finalizes a recording whose endpoint is released: the file stays playable with its duration.
  recorder_->stop();
}

std::optional<InvokeResult> RecorderEndpoint::invoke_own(const std::string& operation, const Json& params) {
  if (operation == "record") {
    recorder_->record();  // a failure is an Error event, as Kurento reports it
    return InvokeResult(Json(nullptr));
  }
  if (operation == "pause") {
    recorder_->pause();
    return InvokeResult(Json(nullptr));
  }
  if (operation == "stop" || operation == "stopAndWait") {
    recorder_->stop();
    return InvokeResult(Json(nullptr));
  }
  if (operation == "getState") {
    switch (recorder_->state()) {
      case media::Recorder::State::Recording: return InvokeResult(Json("START"));
      case media::Recorder::State::Paused: return InvokeResult(Json("PAUSE"));
      default: return InvokeResult(Json("STOP"));
    }
  }
  if (operation == "getUri") return InvokeResult(property("uri"));
  if (operation == "isMediaFlowingIn") {
    const std::string t = params.is_object() && params.contains("mediaType") && params["mediaType"].is_string()
                              ? params["mediaType"].get<std::string>()
                              : std::string();
    bool f = false;
    if (t.empty() || t == "AUDIO") f = f || recorder_->flowing_in(media::WebRtcSession::Kind::Audio);
    if (t.empty() || t == "VIDEO") f = f || recorder_->flowing_in(media::WebRtcSession::Kind::Video);
    return InvokeResult(Json(f));
  }
  return MediaNode::invoke_own(operation, params);
}

kurento::CreateResult create_recorder_endpoint(kurento::ObjectInit init) {
  auto pipeline = std::dynamic_pointer_cast<Pipeline>(init.parent);
  if (!pipeline) return KurentoError{code::kMarshallError, "RecorderEndpoint needs a MediaPipeline"};
  const Json uri = init.constructor_params.value("uri", Json());
  if (!uri.is_string()) return KurentoError{code::kMarshallError, "RecorderEndpoint needs a 'uri' string"};
  media::RecorderConfig config;
  auto path = file_path_of(uri.get<std::string>());
  if (!path) {
    return KurentoError{code::kIllegalParam,
                        "Unsupported URI '" + uri.get<std::string>() + "': medley records to file:///absolute/path"};
  }
  config.path = *path;
  std::string profile = "WEBM";  // Kurento's default
  if (const Json p = init.constructor_params.value("mediaProfile", Json()); p.is_string()) profile = p.get<std::string>();
  auto parsed = media::recorder_profile(profile);
  if (!parsed) {
    return KurentoError{code::kIllegalParam, "Media profile " + profile +
                                                 " is not supported (WEBM, MKV, MP4 and their _VIDEO_ONLY and "
                                                 "_AUDIO_ONLY forms are)"};
  }
  config.profile = *parsed;
  auto strand = pipeline->strand();
  auto endpoint = std::make_shared<RecorderEndpoint>(std::move(init), std::move(strand), std::move(config));
  endpoint->start();
  return std::shared_ptr<kurento::MediaObject>(endpoint);
}

}  // namespace medley::server::elements
