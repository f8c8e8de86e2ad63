import sys, os
from dissect import udp_payloads, dissect
base = '/work/wt/packet/tests/data/rtp'
out = base + '/libwebrtc'; os.makedirs(out, exist_ok=True)
U = dict(toffset='urn:ietf:params:rtp-hdrext:toffset', ast='http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
 cvo='urn:3gpp:video-orientation', tcc='http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
 pd='http://www.webrtc.org/experiments/rtp-hdrext/playout-delay', vct='http://www.webrtc.org/experiments/rtp-hdrext/video-content-type',
 vt='http://www.webrtc.org/experiments/rtp-hdrext/video-timing', cs='http://www.webrtc.org/experiments/rtp-hdrext/color-space',
 mid='urn:ietf:params:rtp-hdrext:sdes:mid', rid='urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
 rrid='urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id', al='urn:ietf:params:rtp-hdrext:ssrc-audio-level')
def load(pcap, extmap):
    pk = []
    for i, t, sp, dp, pl in udp_payloads(pcap):
        if len(pl) < 12 or not (128 <= pl[0] <= 191) or 64 <= (pl[1] & 127) <= 95: continue
        d = dissect(pl, extmap); d['frame'] = i; d['data'] = pl; pk.append(d)
    return pk
def ids(d): return tuple(e[0] for e in d['exts'])
def first(pk, f): return next(d for d in pk if f(d))
def write(sel, hdr):
    for name, d in sel.items():
        open(os.path.join(out, name + '.bin'), 'wb').write(d['data'])
        with open(os.path.join(out, name + '.txt'), 'w') as f:
            f.write(name + ': capture frame %d, %d bytes\n' % (d['frame'], len(d['data'])))
            f.write(hdr + '\n' + '\n'.join(d['lines']) + '\n')
        print(name, len(d['data']), d['pt'], d['seq'], d['m'], d['pad'], ids(d))

# Session 1: @roamhq/wrtc, SRTP.
m1 = {1: U['toffset'], 2: U['ast'], 3: U['cvo'], 4: U['tcc'], 5: U['pd'], 6: U['vct'], 7: U['vt'], 8: U['cs'], 9: U['mid'], 10: U['rid'], 11: U['rrid'], 14: U['al']}
pk = load('session1.pcap', m1)
write({
 'wrtc_video_keyframe_first': first(pk, lambda d: d['pt'] == 96),
 'wrtc_video_keyframe_last': first(pk, lambda d: d['pt'] == 96 and 3 in ids(d)),
 'wrtc_video_middle': [d for d in pk if d['pt'] == 96 and ids(d) == (2, 4) and d['m'] == 0][200],
 'wrtc_video_frame_end_timing': first(pk, lambda d: d['pt'] == 96 and ids(d) == (2, 4, 7)),
 'wrtc_audio_first': first(pk, lambda d: d['pt'] == 111),
 'wrtc_audio_level': first(pk, lambda d: d['pt'] == 111 and ids(d) == (2, 4, 14)),
}, """Captured from Google's libwebrtc (npm @roamhq/wrtc 0.10.0, M-series libwebrtc in Node): two RTCPeerConnections in
one process, a 640x480 30 fps I420 video source (VP8; RED/ULPFEC removed from the offer) and a 48 kHz mono 440 Hz
tone audio source (Opus), over loopback; tcpdump on lo. SRTP (DTLS-SRTP, AES_CM_128_HMAC_SHA1_80): the RTP header
and extensions are in the clear, the payload is encrypted and a 10-byte auth tag ends the packet (so a P bit's
count byte would be encrypted: these packets have none).
Session extmap (offer = answer): video 1 toffset, 2 abs-send-time, 3 video-orientation, 4 transport-wide-cc-01,
5 playout-delay, 6 video-content-type, 7 video-timing, 8 color-space, 9 sdes:mid, 10 rtp-stream-id,
11 repaired-rtp-stream-id; audio 14 ssrc-audio-level, 2 abs-send-time, 4 transport-wide-cc-01, 9 sdes:mid.
a=mid: video "0", audio "1". PT 96 VP8, 97 rtx (apt=96), 111 opus.
""")

# Session 2: Chromium, encryption disabled: plain RTP.
m2 = {1: U['al'], 2: U['ast'], 3: U['tcc'], 4: U['mid'], 14: U['toffset'], 13: U['cvo'], 5: U['pd'], 6: U['vct'], 7: U['vt'], 8: U['cs'], 10: U['rid'], 11: U['rrid']}
pk = load('chrome/session_chrome.pcap', m2)
write({
 'chrome_video_keyframe': first(pk, lambda d: d['pt'] == 96 and 8 in ids(d)),
 'chrome_video_delta': [d for d in pk if d['pt'] == 96 and ids(d) == (2, 3)][150],
 'chrome_rtx_padding_probe': first(pk, lambda d: d['pt'] == 97 and d['pad']),
 'chrome_rtx_retransmission': first(pk, lambda d: d['pt'] == 97 and not d['pad']),
 'chrome_audio_first': first(pk, lambda d: d['pt'] == 111),
 'chrome_audio_level': [d for d in pk if d['pt'] == 111 and ids(d) == (2, 3, 1)][100],
}, """Captured from Chromium 156.0.8078.108 (its libwebrtc), headless, started with --disable-webrtc-encryption
--use-fake-device-for-media-stream: two RTCPeerConnections in one page, getUserMedia 640x480 fake camera (VP8;
RED/ULPFEC removed from the offer) and the fake microphone (Opus), over loopback; tcpdump on lo.
Plain RTP (RTP/AVPF, no SRTP): payloads and padding are in the clear.
Session extmap (offer = answer): audio 1 ssrc-audio-level, 2 abs-send-time, 3 transport-wide-cc-01, 4 sdes:mid;
video 14 toffset, 2 abs-send-time, 13 video-orientation, 3 transport-wide-cc-01, 5 playout-delay,
6 video-content-type, 7 video-timing, 8 color-space, 4 sdes:mid, 10 rtp-stream-id, 11 repaired-rtp-stream-id.
a=mid: audio "0", video "1". PT 96 VP8, 97 rtx (apt=96), 111 opus.
""")

# Session 3: ffmpeg plain RTP, no extensions.
out = base + '/ffmpeg'; os.makedirs(out, exist_ok=True)
pk = load('f.pcap', {})
write({
 'ffmpeg_vp8_first': pk[0],
 'ffmpeg_vp8_middle': next(d for d in pk[1:] if d['m'] == 0 and len(d['data']) > 1000),
 'ffmpeg_vp8_frame_end': next(d for d in pk[5:] if d['m'] == 1),
}, """Captured from ffmpeg 5.1.9 (Debian 12): `ffmpeg -re -f lavfi -i testsrc2=size=320x240:rate=30 -t 2 -c:v libvpx
-b:v 300k -f rtp rtp://127.0.0.1:5004`, tcpdump on lo. Plain RTP (RTP/AVP), PT 96 VP8/90000, no header extensions;
the payload starts with the VP8 payload descriptor (RFC 7741).
""")
