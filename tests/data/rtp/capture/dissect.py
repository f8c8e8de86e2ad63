# Minimal pcap -> RTP dissector (independent of the C++ code) used to pick test packets and write .txt files.
import struct, sys

def udp_payloads(path):
    d = open(path, 'rb').read()
    magic = struct.unpack('<I', d[:4])[0]
    assert magic == 0xa1b2c3d4, hex(magic)
    link = struct.unpack('<I', d[20:24])[0]
    off = 24; i = 0
    while off + 16 <= len(d):
        ts, us, incl, orig = struct.unpack('<IIII', d[off:off+16]); off += 16
        frame = d[off:off+incl]; off += incl; i += 1
        if link == 1: eth = frame[14:]; et = struct.unpack('!H', frame[12:14])[0]
        elif link == 113: eth = frame[16:]; et = struct.unpack('!H', frame[14:16])[0]
        else: raise SystemExit('link %d' % link)
        if et == 0x0800:
            ihl = (eth[0] & 15) * 4
            if eth[9] != 17: continue
            udp = eth[ihl:]
        elif et == 0x86dd:
            if eth[6] != 17: continue
            udp = eth[40:]
        else: continue
        sport, dport, ulen = struct.unpack('!HHH', udp[:6])
        yield i, ts + us / 1e6, sport, dport, udp[8:ulen]

def dissect(p, extmap):
    out = []
    b0, b1, seq, ts, ssrc = struct.unpack('!BBHII', p[:12])
    v, pad, x, cc = b0 >> 6, (b0 >> 5) & 1, (b0 >> 4) & 1, b0 & 15
    m, pt = b1 >> 7, b1 & 127
    out.append('byte 0 = 0x%02x: V=%d P=%d X=%d CC=%d' % (b0, v, pad, x, cc))
    out.append('byte 1 = 0x%02x: M=%d PT=%d' % (b1, m, pt))
    out.append('bytes 2-3: sequence number = %d' % seq)
    out.append('bytes 4-7: timestamp = %d' % ts)
    out.append('bytes 8-11: SSRC = 0x%08x (%d)' % (ssrc, ssrc))
    o = 12
    for k in range(cc):
        out.append('bytes %d-%d: CSRC = 0x%08x' % (o, o+3, struct.unpack('!I', p[o:o+4])[0])); o += 4
    exts = []
    if x:
        prof, ln = struct.unpack('!HH', p[o:o+4])
        out.append('bytes %d-%d: extension profile = 0x%04x, length = %d words (%d bytes)' % (o, o+3, prof, ln, ln*4))
        blk = p[o+4:o+4+ln*4]; base = o + 4; o += 4 + ln*4
        j = 0
        while j < len(blk):
            if blk[j] == 0: out.append('  byte %d: padding 0x00' % (base+j)); j += 1; continue
            if prof == 0xBEDE:
                eid, l = blk[j] >> 4, (blk[j] & 15) + 1
                if eid == 15: break
                hdr = 1
            else:
                eid, l = blk[j], blk[j+1]; hdr = 2
            val = blk[j+hdr:j+hdr+l]
            name = extmap.get(eid, '?')
            out.append('  bytes %d-%d: id=%d len=%d (%s) value=%s%s' % (base+j, base+j+hdr+l-1, eid, l, name, val.hex(), interp(name, val)))
            exts.append((eid, name, val))
            j += hdr + l
    padn = p[-1] if pad else 0
    out.append('header size = %d; payload bytes %d-%d (%d bytes)' % (o, o, len(p)-padn-1, len(p)-o-padn))
    if len(p)-o-padn > 0: out.append('payload starts: %s' % p[o:min(o+8, len(p)-padn)].hex())
    if pad: out.append('padding: last byte = %d' % padn)
    return dict(pt=pt, ssrc=ssrc, seq=seq, m=m, pad=pad, padn=padn, cc=cc, exts=exts, hdr=o, lines=out)

def interp(name, v):
    if name.endswith('abs-send-time') and len(v) == 3:
        x = int.from_bytes(v, 'big'); return ' -> abs-send-time %d (%.6f s)' % (x, x / 262144)
    if 'transport-wide-cc' in name and len(v) == 2: return ' -> transport seq %d' % int.from_bytes(v, 'big')
    if 'sdes' in name: return ' -> "%s"' % v.decode('latin1')
    if 'audio-level' in name: return ' -> V=%d level=%d' % (v[0] >> 7, v[0] & 127)
    if 'video-orientation' in name: return ' -> C=%d F=%d rotation=%d' % ((v[0] >> 3) & 1, (v[0] >> 2) & 1, (v[0] & 3) * 90)
    if 'toffset' in name: x = int.from_bytes(v, 'big'); x -= (1 << 24) if x & 0x800000 else 0; return ' -> toffset %d' % x
    if 'playout-delay' in name: x = int.from_bytes(v, 'big'); return ' -> min=%d max=%d (10 ms units)' % (x >> 12, x & 0xfff)
    if 'video-content-type' in name: return ' -> content type %d' % v[0]
    if 'video-timing' in name: return ' -> flags=%d deltas=%s' % (v[0], struct.unpack('!6H', v[1:13]) if len(v) == 13 else '?')
    return ''

if __name__ == '__main__':
    from collections import Counter
    c = Counter()
    for i, t, sp, dp, pl in udp_payloads(sys.argv[1]):
        if len(pl) < 12 or not (128 <= pl[0] <= 191) or 64 <= (pl[1] & 127) <= 95: continue
        d = dissect(pl, {})
        c[(d['ssrc'], d['pt'], d['pad'], len(pl) - d['hdr'] - d['padn'] == 10, tuple(e[0] for e in d['exts']))] += 1
    for k, v in sorted(c.items(), key=lambda kv: -kv[1]): print(v, k)
