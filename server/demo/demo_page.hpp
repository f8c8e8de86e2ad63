// The demo page served at GET /: the browser's camera looped back through a WebRtcEndpoint (Kurento hello-world).
#pragma once

#include <string>
#include <string_view>

namespace medley::server::demo {

// A self-contained HTML page (inline CSS and JS, no external resources) that speaks Kurento JSON-RPC over
// ws(s)://<host><ws_path> (ws_path with its leading '/', a JS string literal's worth of safe characters) directly: create MediaPipeline, create WebRtcEndpoint, subscribe IceCandidateFound,
// connect the endpoint to itself, processOffer, gatherCandidates, addIceCandidate as the browser trickles.
std::string demo_page_html(std::string_view ws_path = "/kurento");

}  // namespace medley::server::demo
